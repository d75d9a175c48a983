// The one part of snarkjs's `powersoftau prepare phase2` that PLONK needs: the Lagrange basis of
// tau·G1 (section 12) for every domain size up to the ceremony's power. Sections 1–7 are copied;
// the G2, alpha and beta bases (sections 13–15, only Groth16 reads them) are not computed.
import * as binFileUtils from '@iden3/binfileutils';
import { BigBuffer } from 'ffjavascript';
import type { Bn128 } from './snarkjs.js';

const G1_AFFINE_BYTES = 64;
const SECTIONS_COPIED = [1, 2, 3, 4, 5, 6, 7];
const LAGRANGE_TAU_G1 = 12;

export async function preparePlonkPhase2(
  fromPtau: string,
  toPtau: string,
  curve: Bn128,
  progress: (step: string) => void,
): Promise<void> {
  const { fd: from, sections } = await binFileUtils.readBinFile(fromPtau, 'ptau', 1);
  const to = await binFileUtils.createBinFile(toPtau, 'ptau', 1, SECTIONS_COPIED.length + 1);
  try {
    for (const id of SECTIONS_COPIED) await binFileUtils.copySection(from, sections, to, id);
    // Section 1: id, size, n8, q (n8 bytes), power.
    const header = await binFileUtils.readSection(from, sections, 1);
    const n8 = new DataView(header.buffer, header.byteOffset).getUint32(0, true);
    const power = new DataView(header.buffer, header.byteOffset).getUint32(4 + n8, true);
    await binFileUtils.startWriteSection(to, LAGRANGE_TAU_G1);
    for (let p = 0; p <= power; p++) {
      const points = 2 ** p;
      const buff = new BigBuffer(points * G1_AFFINE_BYTES);
      await binFileUtils.startReadUniqueSection(from, sections, 2);
      await from.readToBuffer(buff, 0, points * G1_AFFINE_BYTES);
      await binFileUtils.endReadSection(from, true);
      await to.write(await curve.G1.lagrangeEvaluations(buff, 'affine', 'affine'));
      if (p >= 10) progress(`Lagrange basis 2^${p} of 2^${power}`);
    }
    await binFileUtils.endWriteSection(to);
  } finally {
    await from.close();
    await to.close();
  }
}
