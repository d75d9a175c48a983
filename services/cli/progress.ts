// A single updating status line on a terminal; silent when not a TTY or with --json.

export function progressLine(enabled: boolean) {
  const tty = enabled && process.stderr.isTTY === true;
  let last = '';
  return {
    update(text: string) {
      if (!tty || text === last) return;
      last = text;
      process.stderr.write(`\r\x1b[2K${text}`);
    },
    done() {
      if (tty && last) process.stderr.write('\n');
    },
  };
}
