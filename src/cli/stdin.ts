// A secret read from standard input (`users create --password-stdin`), so that it never stands in
// the process's argv, where any local user can read it (ps, /proc/PID/cmdline), nor in the shell's
// history. One line: the trailing newline that echo, a here-string or a file adds is not part of it.
export async function readStdinLine(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (/[\r\n]/.test(text)) throw new Error('standard input holds more than one line');
  return text;
}
