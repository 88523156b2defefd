import { newSection, type Section, type Suite } from './lib.js';
export async function faults(_suite: Suite): Promise<Section> {
  return newSection('faults', 'faults', 'not yet');
}
