// The frame every page shares (src/http/pages/layout.ts).
export const common = {
  /** The `<title>` of a page: its heading, then the product. */
  documentTitle: (title: string, brand: string) => `${title} · ${brand}`,
  skipToContent: 'Skip to content',
  cancel: 'Cancel',
  errorTitle: 'Something went wrong',
  notFoundTitle: 'Page not found',
  goToAccount: 'Go to your account',
  formExpired: 'The form expired. Please try again.',
};
