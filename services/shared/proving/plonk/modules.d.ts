// snarkjs and the libraries it is built on ship no TypeScript types; Gavel declares the parts it
// uses where it uses them (snarkjs.ts, ptau-lagrange.ts).
declare module 'snarkjs';
declare module 'ejs';
declare module '@iden3/binfileutils' {
  interface BinFile {
    readToBuffer(buff: unknown, offset: number, length: number, position?: number): Promise<void>;
    write(buff: unknown): Promise<void>;
    close(): Promise<void>;
  }
  type Sections = unknown[];
  export function readBinFile(
    name: string,
    type: string,
    maxVersion: number,
  ): Promise<{ fd: BinFile; sections: Sections }>;
  export function createBinFile(
    name: string,
    type: string,
    version: number,
    nSections: number,
  ): Promise<BinFile>;
  export function copySection(from: BinFile, sections: Sections, to: BinFile, id: number): Promise<void>;
  export function readSection(fd: BinFile, sections: Sections, id: number): Promise<Uint8Array>;
  export function startWriteSection(fd: BinFile, id: number): Promise<void>;
  export function endWriteSection(fd: BinFile): Promise<void>;
  export function startReadUniqueSection(fd: BinFile, sections: Sections, id: number): Promise<void>;
  export function endReadSection(fd: BinFile, noCheck?: boolean): Promise<void>;
}
declare module 'ffjavascript' {
  export class BigBuffer {
    constructor(size: number);
  }
}
