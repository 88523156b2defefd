import { newSection, type Section, type Suite } from './lib.js';
export async function load(_suite: Suite): Promise<Section> {
  return newSection('load', 'load', 'not yet');
}
