// Commander's own words in both languages: the titles of a help page, the notes it adds to an
// option ("(default: 2)"), and its parse errors (unknown option, missing argument, unknown
// command, "did you mean"). src/cli/program.ts and src/cli/runtime.ts render them from here.

export const commanderEn = {
  'help.title.usage': 'Usage:',
  'help.title.options': 'Options:',
  'help.title.commands': 'Commands:',
  'help.title.arguments': 'Arguments:',
  'help.title.globalOptions': 'Global Options:',
  'help.note.default': 'default: {value}',
  'help.note.choices': 'choices: {values}',
  'help.note.preset': 'preset: {value}',
  'help.note.env': 'env: {name}',
  'cmdr.unknownOption': "unknown option '{flag}'",
  'cmdr.unknownCommand': "unknown command '{name}'",
  'cmdr.didYouMean': '(Did you mean {candidates}?)',
  'cmdr.didYouMeanOneOf': '(Did you mean one of {candidates}?)',
  'cmdr.missingArgument': "missing required argument '{name}'",
  'cmdr.optionMissingArgument': "option '{flags}' argument missing",
  'cmdr.missingMandatoryOption': "required option '{flags}' not specified",
  'cmdr.conflictingOption': '{option} cannot be used with {other}',
  'cmdr.excessArguments': 'too many arguments. Expected {expected} argument(s) but got {got}.',
  'cmdr.excessArgumentsFor': "too many arguments for '{command}'. Expected {expected} argument(s) but got {got}.",
  'cmdr.invalidOptionValue': "option '{flags}' argument '{value}' is invalid. {reason}",
  'cmdr.invalidArgumentValue': "command-argument value '{value}' is invalid for argument '{name}'. {reason}",
  'cmdr.allowedChoices': 'Allowed choices are {choices}.',
} as const;

export type CommanderKey = keyof typeof commanderEn;

export const commanderZh: Record<CommanderKey, string> = {
  'help.title.usage': '用法：',
  'help.title.options': '选项：',
  'help.title.commands': '命令：',
  'help.title.arguments': '参数：',
  'help.title.globalOptions': '全局选项：',
  'help.note.default': '默认：{value}',
  'help.note.choices': '可选：{values}',
  'help.note.preset': '预设：{value}',
  'help.note.env': '环境变量：{name}',
  'cmdr.unknownOption': '未知选项“{flag}”',
  'cmdr.unknownCommand': '未知命令“{name}”',
  'cmdr.didYouMean': '（是不是要用 {candidates}？）',
  'cmdr.didYouMeanOneOf': '（是不是要用其中之一：{candidates}？）',
  'cmdr.missingArgument': '缺少必需的参数“{name}”',
  'cmdr.optionMissingArgument': '选项“{flags}”缺少取值',
  'cmdr.missingMandatoryOption': '未指定必需的选项“{flags}”',
  'cmdr.conflictingOption': '{option} 不能与 {other} 同用',
  'cmdr.excessArguments': '参数过多：应为 {expected} 个，实际 {got} 个。',
  'cmdr.excessArgumentsFor': '“{command}”的参数过多：应为 {expected} 个，实际 {got} 个。',
  'cmdr.invalidOptionValue': '选项“{flags}”的取值“{value}”无效。{reason}',
  'cmdr.invalidArgumentValue': '参数“{name}”的取值“{value}”无效。{reason}',
  'cmdr.allowedChoices': '可选值为 {choices}。',
};
