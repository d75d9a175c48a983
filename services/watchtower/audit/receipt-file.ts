// The receipts provers filed with this watchtower, kept on disk (one filing per line, as filed), so
// a restarted watchtower still holds them: a receipt is evidence only while someone holds it.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class ReceiptFile {
  /** Whether the file's end was checked for a line a crash cut short. */
  private checked = false;

  constructor(private readonly file: string) {}

  /** Every filing kept, oldest first. A line cut short by a crash mid-append is skipped. */
  load(): Uint8Array[] {
    if (!existsSync(this.file)) return [];
    const filings: Uint8Array[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        JSON.parse(line);
      } catch {
        continue;
      }
      filings.push(new TextEncoder().encode(line));
    }
    return filings;
  }

  /** Keeps a filing (JSON, checked and held by the auditor already) as one line. The first append
   *  after a start ends a line a crash left cut short, so the new one stays whole. */
  append(filing: Uint8Array): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const line = JSON.stringify(JSON.parse(new TextDecoder().decode(filing)));
    const torn = !this.checked && existsSync(this.file) && !/(^|\n)$/.test(readFileSync(this.file, 'utf8'));
    this.checked = true;
    appendFileSync(this.file, `${torn ? '\n' : ''}${line}\n`);
  }
}
