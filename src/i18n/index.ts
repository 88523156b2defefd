// One message catalog, two languages. `en` is the reference: `zh` must have exactly the
// same keys (a test checks). error_type values and JSON keys never go through here; only
// human text does.
//
// Kept dependency-free and small: the CLI entry imports it at top level for --help.

export type Lang = 'en' | 'zh';

const en = {
  // ---- program / global options ----
  'program.description': 'AutoDL elastic deployments: query, create, wait for GPUs, simulate.',
  'opt.json': 'print JSON (default when stdout is not a terminal; --no-json forces tables)',
  'opt.lang': 'language of messages: zh or en',
  'opt.host': 'API base URL (overrides AUTODL_HOST and the config file)',
  'opt.dialect': 'API dialect: private or public (default: from the host)',
  'opt.verbose': 'log requests on stderr and show stack traces',
  'opt.dryRun': 'print the request it would send (token redacted) and send nothing',
  'opt.help': 'show help',
  'opt.version': 'show the version',
  'help.command': 'show help for a command',

  // ---- commands ----
  'cmd.images': 'list your private images (--system: the base images)',
  'cmd.images.system': 'list the system base images instead',
  'cmd.stock': 'GPU stock: idle / total cards per GPU type',
  'cmd.stock.region': 'stock of one region (public dialect), e.g. westDC2',
  'cmd.stock.dc': 'stock of these data centres (public dialect)',
  'cmd.stock.gpu': 'only these GPU types',
  'cmd.deployments': 'list deployments',
  'cmd.deployments.name': 'filter by name',
  'cmd.deployments.status': 'filter by status (running, stopped, …)',
  'cmd.describe': 'show a deployment, its containers and its latest events',
  'cmd.describe.events': 'how many latest events to show',
  'cmd.containers': "list a deployment's containers",
  'cmd.containers.status': 'only these statuses (repeatable)',
  'cmd.containers.gpu': 'only this GPU type',
  'cmd.containers.released': 'only released (true) or unreleased (false) containers',
  'cmd.containers.container': 'only this container uuid',
  'cmd.containers.dateFrom': 'created at or after (e.g. 2026-07-01 00:00:00)',
  'cmd.containers.dateTo': 'created at or before',
  'cmd.containers.cpuFrom': 'at least this many CPU cores',
  'cmd.containers.cpuTo': 'at most this many CPU cores',
  'cmd.containers.memFrom': 'at least this much memory (GB)',
  'cmd.containers.memTo': 'at most this much memory (GB)',
  'cmd.containers.priceFrom': 'price at least (milli-yuan per hour, 1000 = 1 yuan)',
  'cmd.containers.priceTo': 'price at most (milli-yuan per hour)',
  'cmd.events': "list a deployment's container events",
  'cmd.events.follow': 'keep polling and print new events until Ctrl-C',
  'cmd.events.container': 'only events of this container',
  'cmd.events.interval': 'seconds between polls with --follow',
  'cmd.blacklist': 'the host blacklist',
  'cmd.blacklist.ls': 'list blacklisted hosts',
  'cmd.blacklist.add': "blacklist a container's host for its deployment",
  'cmd.blacklist.comment': 'why (free text)',
  'cmd.blacklist.expire': 'minutes until the entry expires (default 1440, at most 43200)',
  'cmd.create': 'create a deployment from a config file (no waiting)',
  'cmd.submit': 'wait until the requested GPUs are free, then create the deployment',
  'cmd.submit.interval': 'seconds between stock checks (fractions allowed)',
  'cmd.submit.timeout': 'give up after this many seconds (0 = never)',
  'cmd.scale': "set a ReplicaSet's replica count",
  'cmd.stopContainer': 'stop one container',
  'cmd.stopContainer.decrease': 'also decrease the replica count by one (ReplicaSet)',
  'cmd.stopContainer.noCache': 'do not keep the stopped container for reuse',
  'cmd.stop': 'stop a deployment (all its containers)',
  'cmd.delete': 'delete a deployment (stopping it first)',
  'cmd.validate': 'check a config file offline and print the body it would send',
  'cmd.validate.strict': 'treat warnings as errors',
  'cmd.login': 'store your developer token in the user config (mode 0600)',
  'cmd.login.tokenStdin': 'read the token from stdin instead of prompting',
  'cmd.sim': 'run the AutoDL simulator on loopback',
  'cmd.sim.port': 'port (0 = any free port)',
  'cmd.sim.token': 'accepted token (repeatable; default: the demo token)',
  'cmd.sim.speed': 'clock speed factor (simulated seconds per real second)',
  'cmd.sim.manual': 'manual clock (advanced only through the admin endpoint)',
  'cmd.sim.seed': 'random seed of the world',
  'cmd.sim.noBackground': 'no background load from other users',
  'cmd.schema': 'print the JSON Schema of a deployment config',
  'cmd.queue': 'durable queue of submissions (coming)',
  'arg.config': 'config file (YAML or JSON)',
  'arg.deployment': 'deployment uuid or exact name',
  'arg.container': 'container uuid',
  'arg.replicas': 'replica count',

  // ---- argument errors ----
  'arg.notNumber': '{value} is not a number',
  'arg.notInteger': '{value} is not a whole number',
  'arg.negative': '{value} must not be negative',
  'arg.notPositive': '{value} must be greater than 0',
  'arg.notBool': '{value} is not true or false',
  'arg.tooLarge': '{value} is larger than {max}',
  'arg.invalid': 'invalid command line: {message}',

  // ---- errors ----
  'error.title': 'Error',
  'error.unexpected': 'unexpected error: {message}',
  'error.stackHint': 'run with --verbose for the stack trace',
  'error.deploymentNotFound': 'no deployment with uuid or name "{ref}"',
  'error.ambiguousName': 'several deployments are named "{ref}": use the uuid',
  'error.tokenEmpty': 'no token given',
  'error.noTty': 'no terminal to prompt on: pipe the token into `autodl login --token-stdin`',
  'error.regionDialect': '--region / --dc need the public dialect',
  'error.regionBoth': 'give --region or --dc, not both',
  'error.interrupted': 'interrupted: nothing was created',
  'error.moduleMissing': 'this build lacks the module for "{command}"',
  'error.suggestion': 'suggestion',
  'error.details': 'details',

  // ---- results ----
  'result.created': 'created deployment {uuid}',
  'result.submitted': 'created deployment {uuid} after waiting {seconds}s',
  'result.scaled': 'deployment {uuid}: replica count set to {n}',
  'result.stopped': 'deployment {uuid} stopped',
  'result.deleted': 'deployment {uuid} deleted',
  'result.containerStopped': 'container {uuid} stopped',
  'result.blacklisted': "host of container {uuid} blacklisted",
  'result.valid': '{path} is valid',
  'result.loggedIn': 'token saved to {path}',
  'result.empty': '(none)',
  'result.count': '{n} item(s)',
  'result.dryRun': 'dry run: nothing was sent',
  'warn.prefix': 'warning',

  // ---- login ----
  'login.prompt': 'AutoDL developer token (console → settings → developer token): ',

  // ---- submit progress ----
  'submit.waiting': 'waiting for GPUs · {elapsed} · check #{attempt} · idle {idle} · next in {next}s',
  'submit.checking': 'checking {what}…',
  'submit.creating': '{gpu} free: creating the deployment (attempt {attempt})',
  'submit.stockError': 'stock check failed ({message}); will retry',
  'submit.retry': 'create failed ({message}); retrying',
  'submit.interrupting': 'interrupting… (Ctrl-C again to force)',
  'events.following': 'following events of {uuid} (Ctrl-C to stop)',

  // ---- describe ----
  'describe.deployment': 'Deployment',
  'describe.containers': 'Containers',
  'describe.events': 'Latest events',

  // ---- table headers ----
  'col.uuid': 'UUID',
  'col.name': 'NAME',
  'col.type': 'TYPE',
  'col.status': 'STATUS',
  'col.replicas': 'REPLICAS',
  'col.running': 'RUNNING',
  'col.starting': 'STARTING',
  'col.finished': 'FINISHED',
  'col.failed': 'FAILED',
  'col.created': 'CREATED',
  'col.stoppedAt': 'STOPPED',
  'col.startedAt': 'STARTED',
  'col.image': 'IMAGE',
  'col.id': 'ID',
  'col.cuda': 'CUDA',
  'col.framework': 'FRAMEWORK',
  'col.gpu': 'GPU',
  'col.gpuNum': 'GPUS',
  'col.idle': 'IDLE',
  'col.total': 'TOTAL',
  'col.machine': 'MACHINE',
  'col.dc': 'DC',
  'col.cpu': 'CPU',
  'col.mem': 'MEM(GB)',
  'col.price': 'PRICE(¥/h)',
  'col.container': 'CONTAINER',
  'col.time': 'TIME',
  'col.expires': 'EXPIRES',
  'col.msg': 'MESSAGE',
  'col.field': 'FIELD',
  'col.value': 'VALUE',
} as const;

export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;

const zh: Catalog = {
  'program.description': 'AutoDL 弹性部署：查询、创建、等待 GPU、模拟器。',
  'opt.json': '输出 JSON（stdout 不是终端时默认如此；--no-json 强制表格）',
  'opt.lang': '消息语言：zh 或 en',
  'opt.host': 'API 地址（优先于 AUTODL_HOST 和配置文件）',
  'opt.dialect': 'API 方言：private 或 public（默认按地址判断）',
  'opt.verbose': '在 stderr 打印请求日志并显示堆栈',
  'opt.dryRun': '只打印将要发送的请求（令牌已隐藏），不发送任何内容',
  'opt.help': '显示帮助',
  'opt.version': '显示版本',
  'help.command': '显示某个命令的帮助',

  'cmd.images': '列出私有镜像（--system：基础镜像）',
  'cmd.images.system': '改为列出系统基础镜像',
  'cmd.stock': 'GPU 库存：每种 GPU 的空闲 / 总卡数',
  'cmd.stock.region': '某个地区的库存（public 方言），如 westDC2',
  'cmd.stock.dc': '这些数据中心的库存（public 方言）',
  'cmd.stock.gpu': '只显示这些 GPU 型号',
  'cmd.deployments': '列出部署',
  'cmd.deployments.name': '按名称过滤',
  'cmd.deployments.status': '按状态过滤（running、stopped……）',
  'cmd.describe': '显示部署详情、容器和最近事件',
  'cmd.describe.events': '显示最近多少条事件',
  'cmd.containers': '列出部署的容器',
  'cmd.containers.status': '只显示这些状态（可重复）',
  'cmd.containers.gpu': '只显示此 GPU 型号',
  'cmd.containers.released': '只显示已释放（true）或未释放（false）的容器',
  'cmd.containers.container': '只显示此容器 uuid',
  'cmd.containers.dateFrom': '创建时间不早于（如 2026-07-01 00:00:00）',
  'cmd.containers.dateTo': '创建时间不晚于',
  'cmd.containers.cpuFrom': 'CPU 核数下限',
  'cmd.containers.cpuTo': 'CPU 核数上限',
  'cmd.containers.memFrom': '内存下限（GB）',
  'cmd.containers.memTo': '内存上限（GB）',
  'cmd.containers.priceFrom': '价格下限（毫元/小时，1000 = 1 元）',
  'cmd.containers.priceTo': '价格上限（毫元/小时）',
  'cmd.events': '列出部署的容器事件',
  'cmd.events.follow': '持续轮询并打印新事件，直到 Ctrl-C',
  'cmd.events.container': '只显示此容器的事件',
  'cmd.events.interval': '--follow 时的轮询间隔（秒）',
  'cmd.blacklist': '主机黑名单',
  'cmd.blacklist.ls': '列出黑名单中的主机',
  'cmd.blacklist.add': '将容器所在主机加入该部署的黑名单',
  'cmd.blacklist.comment': '原因（任意文本）',
  'cmd.blacklist.expire': '多少分钟后过期（默认 1440，最多 43200）',
  'cmd.create': '按配置文件创建部署（不等待）',
  'cmd.submit': '等待所需 GPU 空闲后再创建部署',
  'cmd.submit.interval': '两次库存检查之间的秒数（可为小数）',
  'cmd.submit.timeout': '等待超过此秒数则放弃（0 = 不限）',
  'cmd.scale': '设置 ReplicaSet 的副本数',
  'cmd.stopContainer': '停止一个容器',
  'cmd.stopContainer.decrease': '同时将副本数减一（ReplicaSet）',
  'cmd.stopContainer.noCache': '不保留停止的容器以供复用',
  'cmd.stop': '停止部署（及其全部容器）',
  'cmd.delete': '删除部署（先停止）',
  'cmd.validate': '离线检查配置文件并打印将要发送的请求体',
  'cmd.validate.strict': '把警告当作错误',
  'cmd.login': '将开发者令牌保存到用户配置（权限 0600）',
  'cmd.login.tokenStdin': '从 stdin 读取令牌，不提示输入',
  'cmd.sim': '在本机回环地址上运行 AutoDL 模拟器',
  'cmd.sim.port': '端口（0 = 任意空闲端口）',
  'cmd.sim.token': '接受的令牌（可重复；默认：演示令牌）',
  'cmd.sim.speed': '时钟倍速（每真实秒对应的模拟秒数）',
  'cmd.sim.manual': '手动时钟（只能通过管理接口推进）',
  'cmd.sim.seed': '世界的随机种子',
  'cmd.sim.noBackground': '不模拟其他用户的负载',
  'cmd.schema': '打印部署配置的 JSON Schema',
  'cmd.queue': '持久化的提交队列（即将推出）',
  'arg.config': '配置文件（YAML 或 JSON）',
  'arg.deployment': '部署 uuid 或准确名称',
  'arg.container': '容器 uuid',
  'arg.replicas': '副本数',

  'arg.notNumber': '{value} 不是数字',
  'arg.notInteger': '{value} 不是整数',
  'arg.negative': '{value} 不能为负数',
  'arg.notPositive': '{value} 必须大于 0',
  'arg.notBool': '{value} 不是 true 或 false',
  'arg.tooLarge': '{value} 大于 {max}',
  'arg.invalid': '命令行参数无效：{message}',

  'error.title': '错误',
  'error.unexpected': '意外错误：{message}',
  'error.stackHint': '加 --verbose 可查看堆栈',
  'error.deploymentNotFound': '没有 uuid 或名称为“{ref}”的部署',
  'error.ambiguousName': '有多个名为“{ref}”的部署：请使用 uuid',
  'error.tokenEmpty': '没有提供令牌',
  'error.noTty': '没有可用于提示输入的终端：请用 `autodl login --token-stdin` 通过管道传入令牌',
  'error.regionDialect': '--region / --dc 需要 public 方言',
  'error.regionBoth': '--region 和 --dc 只能给一个',
  'error.interrupted': '已中断：没有创建任何内容',
  'error.moduleMissing': '此构建缺少“{command}”所需的模块',
  'error.suggestion': '建议',
  'error.details': '详情',

  'result.created': '已创建部署 {uuid}',
  'result.submitted': '等待 {seconds} 秒后已创建部署 {uuid}',
  'result.scaled': '部署 {uuid}：副本数已设为 {n}',
  'result.stopped': '部署 {uuid} 已停止',
  'result.deleted': '部署 {uuid} 已删除',
  'result.containerStopped': '容器 {uuid} 已停止',
  'result.blacklisted': '容器 {uuid} 所在主机已加入黑名单',
  'result.valid': '{path} 有效',
  'result.loggedIn': '令牌已保存到 {path}',
  'result.empty': '（无）',
  'result.count': '共 {n} 项',
  'result.dryRun': '演练：没有发送任何请求',
  'warn.prefix': '警告',

  'login.prompt': 'AutoDL 开发者令牌（控制台 → 设置 → 开发者令牌）：',

  'submit.waiting': '等待 GPU · {elapsed} · 第 {attempt} 次检查 · 空闲 {idle} · {next} 秒后再查',
  'submit.checking': '正在检查 {what}……',
  'submit.creating': '{gpu} 有空闲：正在创建部署（第 {attempt} 次）',
  'submit.stockError': '库存查询失败（{message}），稍后重试',
  'submit.retry': '创建失败（{message}），重试中',
  'submit.interrupting': '正在中断……（再按一次 Ctrl-C 强制退出）',
  'events.following': '正在跟踪 {uuid} 的事件（Ctrl-C 停止）',

  'describe.deployment': '部署',
  'describe.containers': '容器',
  'describe.events': '最近事件',

  'col.uuid': 'UUID',
  'col.name': '名称',
  'col.type': '类型',
  'col.status': '状态',
  'col.replicas': '副本',
  'col.running': '运行中',
  'col.starting': '启动中',
  'col.finished': '已完成',
  'col.failed': '失败',
  'col.created': '创建时间',
  'col.stoppedAt': '停止时间',
  'col.startedAt': '启动时间',
  'col.image': '镜像',
  'col.id': 'ID',
  'col.cuda': 'CUDA',
  'col.framework': '框架',
  'col.gpu': 'GPU',
  'col.gpuNum': 'GPU 数',
  'col.idle': '空闲',
  'col.total': '总数',
  'col.machine': '主机',
  'col.dc': '数据中心',
  'col.cpu': 'CPU',
  'col.mem': '内存(GB)',
  'col.price': '价格(元/时)',
  'col.container': '容器',
  'col.time': '时间',
  'col.expires': '过期时间',
  'col.msg': '说明',
  'col.field': '字段',
  'col.value': '值',
};

export const catalogs: Record<Lang, Catalog> = { en, zh };

let current: Lang = 'en';

export function setLang(lang: Lang): void {
  current = lang;
}

export function getLang(): Lang {
  return current;
}

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

/** Translate `key`, substituting `{name}` placeholders from params. */
export function t(key: MessageKey, params: Record<string, string | number> = {}, lang: Lang = current): string {
  const template = catalogs[lang][key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}
