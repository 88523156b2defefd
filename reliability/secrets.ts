import { newSection, type Section, type Suite } from './lib.js';
export async function secrets(_suite: Suite): Promise<Section> {
  return newSection('secrets', 'secrets', 'not yet');
}
