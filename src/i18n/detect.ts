// Which language to speak, decided before any catalog is loaded: the `autodl` entry uses
// this alone for its pre-rendered help, so it must stay free of imports.

export type Lang = 'en' | 'zh';

export function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'zh';
}

/**
 * Language choice: explicit flag > AUTODL_LANG > LC_ALL / LC_MESSAGES / LANG (the first
 * one set; starting with "zh" → zh) > en.
 */
export function detectLang(flag: string | undefined, env: Record<string, string | undefined>): Lang {
  if (isLang(flag)) return flag;
  const a = env.AUTODL_LANG?.toLowerCase();
  if (a?.startsWith('zh')) return 'zh';
  if (a?.startsWith('en')) return 'en';
  for (const k of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const v = env[k];
    if (v) return v.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  }
  return 'en';
}

