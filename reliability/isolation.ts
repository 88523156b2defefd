import { newSection, type Section, type Suite } from './lib.js';
export async function isolation(_suite: Suite): Promise<Section> {
  return newSection('isolation', 'isolation', 'not yet');
}
