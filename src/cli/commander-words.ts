// Commander words its parse errors in English ("error: unknown option '--x'"). In another
// language they are read back here — their forms are fixed by commander — and said again
// from the catalog (src/i18n/commander.ts); a form not known here stays as commander put it.
// English is left as it is, byte for byte.
import { getLang, t } from '../i18n/index.js';

function suggestion(rest: string | undefined): string {
  if (!rest) return '';
  const m = /^\n\(Did you mean (one of )?(.*)\?\)$/s.exec(rest);
  if (!m) return rest;
  return `\n${t(m[1] ? 'cmdr.didYouMeanOneOf' : 'cmdr.didYouMean', { candidates: m[2]! })}`;
}

function reason(text: string): string {
  const m = /^Allowed choices are (.*)\.$/s.exec(text);
  return m ? t('cmdr.allowedChoices', { choices: m[1]! }) : text;
}

/** Commander's message (without "error: ") for `code`, in the language of the run. */
export function commanderMessage(code: string, message: string): string {
  if (getLang() === 'en') return message;
  let m: RegExpExecArray | null;
  switch (code) {
    case 'commander.unknownOption':
      if ((m = /^unknown option '(.*?)'(\n.*)?$/s.exec(message))) return t('cmdr.unknownOption', { flag: m[1]! }) + suggestion(m[2]);
      break;
    case 'commander.unknownCommand':
      if ((m = /^unknown command '(.*?)'(\n.*)?$/s.exec(message))) return t('cmdr.unknownCommand', { name: m[1]! }) + suggestion(m[2]);
      break;
    case 'commander.missingArgument':
      if ((m = /^missing required argument '(.*)'$/s.exec(message))) return t('cmdr.missingArgument', { name: m[1]! });
      break;
    case 'commander.optionMissingArgument':
      if ((m = /^option '(.*)' argument missing$/s.exec(message))) return t('cmdr.optionMissingArgument', { flags: m[1]! });
      break;
    case 'commander.missingMandatoryOptionValue':
      if ((m = /^required option '(.*)' not specified$/s.exec(message))) return t('cmdr.missingMandatoryOption', { flags: m[1]! });
      break;
    case 'commander.conflictingOption':
      if ((m = /^(.*) cannot be used with (.*)$/s.exec(message))) return t('cmdr.conflictingOption', { option: m[1]!, other: m[2]! });
      break;
    case 'commander.excessArguments':
      if ((m = /^too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/s.exec(message))) {
        const p = { expected: m[2]!, got: m[3]! };
        return m[1] !== undefined ? t('cmdr.excessArgumentsFor', { ...p, command: m[1] }) : t('cmdr.excessArguments', p);
      }
      break;
    case 'commander.invalidArgument':
      if ((m = /^option '(.*?)' argument '(.*)' is invalid\. ?(.*)$/s.exec(message))) return t('cmdr.invalidOptionValue', { flags: m[1]!, value: m[2]!, reason: reason(m[3]!) });
      if ((m = /^command-argument value '(.*)' is invalid for argument '(.*?)'\. ?(.*)$/s.exec(message)))
        return t('cmdr.invalidArgumentValue', { value: m[1]!, name: m[2]!, reason: reason(m[3]!) });
      break;
    default:
      break;
  }
  return message;
}
