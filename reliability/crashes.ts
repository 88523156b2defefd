import { newSection, type Section, type Suite } from './lib.js';
export async function crashes(_suite: Suite): Promise<Section> {
  return newSection('crashes', 'crashes', 'not yet');
}
