// Where the token in use came from, in the user's language: `autodl auth status` and the hint
// of a refused token (a 401) say it.
import type { ResolvedCredentials } from '../credentials/credentials.js';
import { t } from '../i18n/index.js';

/** Where the token came from, in words (the 401 hint says it too). */
export function tokenSourceText(r: ResolvedCredentials): string {
  switch (r.tokenSource) {
    case 'env':
      return t('auth.source.env');
    case 'dotenv':
      return t('auth.source.dotenv', { path: r.dotenvPath });
    case 'user_config':
      return t('auth.source.userConfig', { path: r.searched[r.searched.length - 1] ?? 'config.json' });
    default:
      return t('auth.source.none');
  }
}

