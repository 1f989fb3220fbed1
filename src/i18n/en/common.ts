// The frame every page shares (src/http/pages/layout.ts).
export const common = {
  /** The `<title>` of a page: its heading, then the product. */
  documentTitle: (title: string, brand: string) => `${title} · ${brand}`,
  skipToContent: 'Skip to content',
  homeLink: (brand: string) => `${brand} home`,
  logoAlt: (brand: string) => `${brand} logo`,
  footer: (brand: string) => `${brand} account`,
  languageName: 'English',
  continue: 'Continue',
  cancel: 'Cancel',
  back: 'Back',
  errorTitle: 'Something went wrong',
  notFoundTitle: 'Page not found',
  notFound: 'There is no page at this address.',
  goToAccount: 'Go to your account',
  formExpired: 'The form expired. Please try again.',
};
