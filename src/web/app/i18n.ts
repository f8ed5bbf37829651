// English and Simplified Chinese. The user's locale (users.locale) picks the dictionary.
export type Locale = 'en' | 'zh-CN';

const en = {
  import: 'Import', import_running: 'Importing', import_paused: 'Paused', import_done: 'Import finished', import_none: 'No import running: new messages arrive as they come.',
  messagesUnit: 'messages', eta: 'about', pauseImport: 'Pause import', resumeImport: 'Resume import',
  importHistory: 'On first connect, import', importDays: 'Days back', history_all: 'Everything in the folder', history_recent: 'The last N days', history_none: 'Only new mail',
  tagline: 'One inbox for every channel', email: 'Email', password: 'Password', logIn: 'Log in', logOut: 'Log out',
  loginFailed: 'Wrong email or password.', inbox: 'Inbox', reports: 'Reports', admin: 'Admin', search: 'Search',
  searchPlaceholder: 'Search messages and contacts  ( / )', language: 'Language', live: 'Live updates on', offline: 'Reconnecting…',
  mine: 'Mine', unassigned: 'Unassigned', all: 'All', status: 'Status', allStatuses: 'Any status', allInboxes: 'All inboxes',
  allTeams: 'All teams', allAgents: 'All agents', team: 'Team', label: 'Label', slaBreached: 'SLA breached', slaWarning: 'SLA at risk',
  st_open: 'Open', st_pending: 'Pending', st_snoozed: 'Snoozed', st_resolved: 'Resolved',
  anonymous: 'Visitor', you: 'You', me: 'me', note: 'Note', unread: 'Unread messages', noConversations: 'No conversations here.',
  loadMore: 'Load more', pickConversation: 'Pick a conversation on the left.', shortcutHint: 'Press ? for keyboard shortcuts.',
  loading: 'Loading…', assignee: 'Assignee', noTeam: 'No team', snooze: 'Snooze', snooze1h: 'For 1 hour', snooze4h: 'For 4 hours',
  snoozeTomorrow: 'Until tomorrow 9:00', snoozeNextWeek: 'Until Monday 9:00', addLabel: 'Add a label', back: 'Back', until: 'until',
  details: 'Details', assignToMe: 'Assign to me', reopen: 'Reopen', resolve: 'Resolve', markPending: 'Pending', remove: 'Remove',
  customer: 'Customer', bot: 'Bot', privateNote: 'Private note', unverifiedSender: 'Unverified sender', unverifiedSenderHint: 'The receiving mail server could not verify who sent this (SPF/DKIM/DMARC), or it claims to come from this inbox itself', bulkMail: 'Mailing list', showQuoted: 'Show quoted text', bulkMailHint: 'Mass mail (mailing list or newsletter): nothing answers it automatically', failed: 'Failed', unknownOutcome: 'Outcome unknown', retry: 'Retry', noMessages: 'No messages yet.',
  ds_queued: 'Queued', ds_sent: 'Sent', ds_delivered: 'Delivered', ds_read: 'Read', ds_failed: 'Failed', ds_unknown: 'Outcome unknown', ds_received: 'Received', ds_null: '',
  attach: 'Attach files (or paste, or drop them here)', attachmentPending: 'downloading from the channel…',
  reply: 'Reply', replyPlaceholder: 'Write a reply…  Type / for canned responses', notePlaceholder: 'Write a private note (only agents see it)…',
  send: 'Send', addNote: 'Add note', composerHint: 'Ctrl+Enter to send · / for canned responses', noCanned: 'No matching canned response',
  contact: 'Contact', previousConversations: 'Previous conversations', none: 'None', suggested: 'Suggested answers', insert: 'Insert',
  shortcuts: 'Keyboard shortcuts', close: 'Close', kNextPrev: 'Next / previous conversation', kReply: 'Reply', kNote: 'Private note',
  kResolve: 'Resolve', kAssignMe: 'Assign to me', kSearch: 'Search', kGo: 'Go to inbox / reports', kHelp: 'This help', kEscape: 'Leave the text box, close dialogs',
  reportsUnavailable: 'Reports are not available in this build.', downloadCsv: 'Download CSV', from: 'From', to: 'To',
  r_volume: 'Volume', r_conversations: 'Conversations', r_firstReply: 'First reply', r_csat: 'CSAT', r_resolved: 'Resolved',
  r_opened: 'Conversations', r_median: 'median', r_resolution: 'Resolution', r_byInbox: 'by inbox', r_byAgent: 'by agent',
  searchResultsFor: 'Results for', typeToSearch: 'Type something to search.', messages: 'Messages', conversations: 'Conversations',
  contacts: 'Contacts', noResults: 'Nothing found.',
  admin_inboxes: 'Inboxes', admin_users: 'Users', admin_teams: 'Teams', admin_canned: 'Canned responses', admin_faq: 'FAQ', admin_webhooks: 'Webhooks',
  sectionUnavailable: 'This section is not available in this build yet.', name: 'Name', channel: 'Channel', health: 'Health', healthOk: 'OK',
  settings: 'Settings', newInbox: 'New inbox', configJson: 'Channel config (JSON)', create: 'Create', inboxCreated: 'Inbox created',
  webhookUrl: 'Webhook URL — paste it in the platform’s developer settings:', widgetSnippet: 'Widget snippet — paste it before </body> on your site:',
  saved: 'Saved.', sla: 'SLA', firstReplyMinutes: 'First reply within (minutes)', nextReplyMinutes: 'Next reply within (minutes)',
  warnAtPercent: 'Warn at (% of the time)', businessHours: 'Business hours', timezone: 'Time zone', badHours: 'Use HH:MM-HH:MM',
  day_mon: 'Monday', day_tue: 'Tuesday', day_wed: 'Wednesday', day_thu: 'Thursday', day_fri: 'Friday', day_sat: 'Saturday', day_sun: 'Sunday',
  automation: 'Automation', autoAssign: 'Assign new conversations automatically', maxOpenPerAgent: 'Max open per agent',
  csatEnabled: 'Ask for a rating (CSAT) after resolve', botEnabled: 'FAQ bot answers first', awayMessage: 'Away message (outside business hours)',
  followUpAfterHours: 'Follow up after (hours without customer reply)', followUpMessage: 'Follow-up message', autoResolveAfterHours: 'Auto-resolve after (hours)',
  save: 'Save', members: 'Members', add: 'Add', role: 'Role', role_agent: 'Agent', role_lead: 'Team lead', role_admin: 'Admin',
  min8: 'at least 8 characters', availability: 'Availability', newUser: 'New user', userCreated: 'User created',
  apiTokenOnce: 'API token (shown once):', addMembers: 'Add members', newTeam: 'New team', shortCode: 'Short code', content: 'Content',
  placeholdersHint: 'Placeholders such as {{contact.name}} are filled in', editContent: 'New content', edit: 'Edit', delete: 'Delete',
  confirmDelete: 'Delete this?', newCanned: 'New canned response', title: 'Title', tags: 'Tags', newArticle: 'New article',
  holidays: 'Holidays (closed all day)', csatQuestion: 'Rating question (optional)', av_online: 'Online', av_busy: 'Busy', av_offline: 'Offline', webVisitor: 'Website visitor', attempts: 'Attempts', redeliver: 'Send again', allEvents: 'All events', tryWidget: 'Try the widget on a test page', someone: 'Someone', mentionedYou: 'mentioned you', deliveries: 'Deliveries', event: 'Event', events: 'Events', time: 'Time', secretOnce: 'Signing secret (shown once):', newWebhook: 'New webhook',
  similarResolved: 'Similar resolved cases', aiLabel: 'AI assistant:', aiReply: 'Suggest reply', aiSummary: 'Summarize', aiTranslate: 'Translate', aiTone: 'Fix tone', aiUse: 'Use in reply', aiDismiss: 'Dismiss',
  aiWorking: 'Asking the assistant…', aiFaq: 'FAQ', aiCase: 'Resolved case', aiNothing: 'Nothing to translate yet.', aiNeedDraft: 'Write a draft first.',
  admin_assistant: 'Assistant', aiEnabled: 'Use a language model', aiBaseUrl: 'API base URL (OpenAI-compatible, …/v1)', aiModel: 'Model', aiApiKey: 'API key (leave empty to keep)',
  aiTimeout: 'Timeout (ms)', aiAfterHours: 'After-hours bot writes answers with the model', aiKeySet: 'An API key is stored (encrypted).', aiCalls: 'Model calls', aiSynonyms: 'Synonyms (one group per line, comma-separated)',
  aiResetSynonyms: 'Back to defaults', aiSent: 'Sent', aiTokens: 'Tokens', aiLatency: 'Latency',
  edited: 'edited', previousVersions: 'Earlier versions', deletedByCustomer: 'Deleted by the customer', showDeleted: 'Show what it said (kept for the record)',
  cameFrom: 'Came from', taggedUntil: 'Outside the 24-hour window: replies go out with the {tag} tag until', windowClosed: 'Free replies are closed',
  template: 'Template', sendTemplate: 'Send template', refreshTemplates: 'Refresh', continueOn: 'Continue on', openLinked: 'Open the linked conversation', linkedConversation: 'Linked conversation',
  templateHeader: 'Header', templateHeaderFile: 'or a file', templatePayload: 'payload (optional)',
  templateMedia_image: 'Header image link', templateMedia_document: 'Header document link', templateMedia_video: 'Header video link',
  webhookSkipped: 'Skipped webhook items', skippedType: 'Type', count: 'Count', lastReason: 'Last reason', lastSeen: 'Last seen',
  admin_audit: 'Audit log', tokenName: 'Name', expiresInDays: 'Expires in (days)', never: 'never', newToken: 'New API token', created: 'Created',
  lastUsed: 'Last used', expires: 'Expires', confirmRevoke: 'Revoke this token? Anything using it stops working at once.', revoked: 'Revoked.', revoke: 'Revoke',
  sessionsEnded: 'Sessions ended', endOtherSessions: 'Log out everywhere else', endAllSessions: 'End all sessions', device: 'Browser', address: 'Address',
  thisBrowser: '(this browser)', endSession: 'End', confirmDisable: 'Disable this user? Their tokens and sessions stop at once and their open conversations go back to the queue.',
  enable: 'Enable', disable: 'Disable', apiTokens: 'API tokens', sessions: 'Sessions', access: 'Tokens & sessions', disabled: 'Disabled', active: 'Active',
  actor: 'Who', anyone: 'Anyone', action: 'Action', since: 'Since', filter: 'Filter', target: 'Target', currentPassword: 'Current password',
  newPassword: 'New password', changePassword: 'Change password', passwordChanged: 'Password changed.', account: 'Your account',
  repliesGoTo: 'Replies go to', changeReplyTarget: 'Change', newReplyTarget: 'Send replies to (address on this channel)',
};

type Dict = Record<keyof typeof en, string>;

const zh: Dict = {
  import: '导入', import_running: '正在导入', import_paused: '已暂停', import_done: '导入完成', import_none: '没有进行中的导入：新消息随到随收。',
  messagesUnit: '条消息', eta: '预计还需', pauseImport: '暂停导入', resumeImport: '继续导入',
  importHistory: '首次连接时导入', importDays: '天数', history_all: '文件夹中的全部邮件', history_recent: '最近 N 天', history_none: '只收新邮件',
  tagline: '一个收件箱，连接所有渠道', email: '邮箱', password: '密码', logIn: '登录', logOut: '退出登录',
  loginFailed: '邮箱或密码错误。', inbox: '收件箱', reports: '报表', admin: '管理', search: '搜索',
  searchPlaceholder: '搜索消息和联系人（/）', language: '语言', live: '实时更新已连接', offline: '正在重新连接…',
  mine: '我的', unassigned: '未分配', all: '全部', status: '状态', allStatuses: '全部状态', allInboxes: '全部收件箱',
  allTeams: '全部团队', allAgents: '全部客服', team: '团队', label: '标签', slaBreached: 'SLA 已超时', slaWarning: 'SLA 即将超时',
  st_open: '进行中', st_pending: '待处理', st_snoozed: '已延后', st_resolved: '已解决',
  anonymous: '访客', you: '我', me: '我', note: '备注', unread: '未读消息', noConversations: '这里没有会话。',
  loadMore: '加载更多', pickConversation: '从左侧选择一个会话。', shortcutHint: '按 ? 查看键盘快捷键。',
  loading: '加载中…', assignee: '负责人', noTeam: '无团队', snooze: '延后', snooze1h: '1 小时', snooze4h: '4 小时',
  snoozeTomorrow: '明天 9:00', snoozeNextWeek: '下周一 9:00', addLabel: '添加标签', back: '返回', until: '直到',
  details: '详情', assignToMe: '分配给我', reopen: '重新打开', resolve: '解决', markPending: '待处理', remove: '移除',
  customer: '客户', bot: '机器人', privateNote: '内部备注', unverifiedSender: '发件人未验证', unverifiedSenderHint: '收件服务器无法验证发件人（SPF/DKIM/DMARC），或邮件自称来自本收件箱地址', bulkMail: '群发邮件', showQuoted: '显示引用内容', bulkMailHint: '群发邮件（邮件列表或通讯）：不会自动回复', failed: '发送失败', unknownOutcome: '结果未知', retry: '重试', noMessages: '还没有消息。',
  ds_queued: '排队中', ds_sent: '已发送', ds_delivered: '已送达', ds_read: '已读', ds_failed: '失败', ds_unknown: '结果未知', ds_received: '已接收', ds_null: '',
  attach: '添加文件（也可粘贴或拖放到这里）', attachmentPending: '正在从渠道下载…',
  reply: '回复', replyPlaceholder: '输入回复…  输入 / 使用快捷回复', notePlaceholder: '写一条内部备注（仅客服可见）…',
  send: '发送', addNote: '添加备注', composerHint: 'Ctrl+Enter 发送 · / 快捷回复', noCanned: '没有匹配的快捷回复',
  contact: '联系人', previousConversations: '历史会话', none: '无', suggested: '推荐答案', insert: '插入',
  shortcuts: '键盘快捷键', close: '关闭', kNextPrev: '下一个 / 上一个会话', kReply: '回复', kNote: '内部备注',
  kResolve: '解决', kAssignMe: '分配给我', kSearch: '搜索', kGo: '前往收件箱 / 报表', kHelp: '显示帮助', kEscape: '离开输入框，关闭对话框',
  reportsUnavailable: '此版本暂不提供报表。', downloadCsv: '下载 CSV', from: '从', to: '到',
  r_volume: '会话量', r_conversations: '会话', r_firstReply: '首次响应', r_csat: '满意度', r_resolved: '已解决',
  r_opened: '新会话', r_median: '中位数', r_resolution: '解决用时', r_byInbox: '按收件箱', r_byAgent: '按客服',
  searchResultsFor: '搜索结果：', typeToSearch: '请输入要搜索的内容。', messages: '消息', conversations: '会话',
  contacts: '联系人', noResults: '没有找到结果。',
  admin_inboxes: '收件箱', admin_users: '用户', admin_teams: '团队', admin_canned: '快捷回复', admin_faq: '常见问题', admin_webhooks: 'Webhook',
  sectionUnavailable: '此版本暂不提供该功能。', name: '名称', channel: '渠道', health: '状态', healthOk: '正常',
  settings: '设置', newInbox: '新建收件箱', configJson: '渠道配置（JSON）', create: '创建', inboxCreated: '收件箱已创建',
  webhookUrl: 'Webhook 地址——请填入平台的开发者设置：', widgetSnippet: '聊天插件代码——请粘贴到网站 </body> 之前：',
  saved: '已保存。', sla: 'SLA', firstReplyMinutes: '首次回复时限（分钟）', nextReplyMinutes: '后续回复时限（分钟）',
  warnAtPercent: '预警阈值（时限的 %）', businessHours: '营业时间', timezone: '时区', badHours: '请使用 HH:MM-HH:MM 格式',
  day_mon: '星期一', day_tue: '星期二', day_wed: '星期三', day_thu: '星期四', day_fri: '星期五', day_sat: '星期六', day_sun: '星期日',
  automation: '自动化', autoAssign: '自动分配新会话', maxOpenPerAgent: '每位客服最多进行中会话',
  csatEnabled: '解决后请客户评分（CSAT）', botEnabled: '由常见问题机器人先回答', awayMessage: '非营业时间自动回复',
  followUpAfterHours: '客户未回复多少小时后跟进', followUpMessage: '跟进消息', autoResolveAfterHours: '多少小时后自动解决',
  save: '保存', members: '成员', add: '添加', role: '角色', role_agent: '客服', role_lead: '组长', role_admin: '管理员',
  min8: '至少 8 个字符', availability: '在线状态', newUser: '新建用户', userCreated: '用户已创建',
  apiTokenOnce: 'API 令牌（仅显示一次）：', addMembers: '添加成员', newTeam: '新建团队', shortCode: '快捷码', content: '内容',
  placeholdersHint: '可使用 {{contact.name}} 等占位符', editContent: '新的内容', edit: '编辑', delete: '删除',
  confirmDelete: '确定删除？', newCanned: '新建快捷回复', title: '标题', tags: '标签', newArticle: '新建文章',
  holidays: '节假日（全天休息）', csatQuestion: '评分问题（可选）', av_online: '在线', av_busy: '忙碌', av_offline: '离线', webVisitor: '网站访客', attempts: '尝试次数', redeliver: '重新投递', allEvents: '全部事件', tryWidget: '在测试页上试用聊天插件', someone: '有人', mentionedYou: '提到了你', deliveries: '投递记录', event: '事件', events: '事件', time: '时间', secretOnce: '签名密钥（仅显示一次）：', newWebhook: '新建 Webhook',
  similarResolved: '相似的已解决会话', aiLabel: 'AI 助手：', aiReply: '建议回复', aiSummary: '总结', aiTranslate: '翻译', aiTone: '润色语气', aiUse: '填入回复框', aiDismiss: '关闭',
  aiWorking: '正在请求助手…', aiFaq: '常见问题', aiCase: '已解决的会话', aiNothing: '还没有可翻译的内容。', aiNeedDraft: '请先写一段草稿。',
  admin_assistant: 'AI 助手', aiEnabled: '使用大语言模型', aiBaseUrl: 'API 地址（兼容 OpenAI，…/v1）', aiModel: '模型', aiApiKey: 'API 密钥（留空则不变）',
  aiTimeout: '超时（毫秒）', aiAfterHours: '非工作时间由模型撰写机器人回答', aiKeySet: '已保存 API 密钥（加密存储）。', aiCalls: '模型调用记录', aiSynonyms: '同义词（每行一组，用逗号分隔）',
  aiResetSynonyms: '恢复默认', aiSent: '发送内容', aiTokens: '令牌数', aiLatency: '耗时',
  edited: '已编辑', previousVersions: '早前版本', deletedByCustomer: '客户已删除', showDeleted: '查看原内容（留档）',
  cameFrom: '来源', taggedUntil: '已超过 24 小时：回复将带 {tag} 标签发送，截止', windowClosed: '已不能自由回复',
  template: '模板', sendTemplate: '发送模板', refreshTemplates: '刷新', continueOn: '改用', openLinked: '打开关联会话', linkedConversation: '关联会话',
  templateHeader: '标题', templateHeaderFile: '或上传文件', templatePayload: '载荷（可选）',
  templateMedia_image: '标题图片链接', templateMedia_document: '标题文档链接', templateMedia_video: '标题视频链接',
  webhookSkipped: '跳过的 Webhook 项', skippedType: '类型', count: '次数', lastReason: '最近原因', lastSeen: '最近时间',
  admin_audit: '审计日志', tokenName: '名称', expiresInDays: '有效期（天）', never: '永不过期', newToken: '新建 API 令牌', created: '创建时间',
  lastUsed: '最近使用', expires: '过期时间', confirmRevoke: '吊销此令牌？使用它的程序将立即失效。', revoked: '已吊销。', revoke: '吊销',
  sessionsEnded: '已结束的会话', endOtherSessions: '退出其他所有设备', endAllSessions: '结束全部会话', device: '浏览器', address: '地址',
  thisBrowser: '（当前浏览器）', endSession: '结束', confirmDisable: '停用该用户？其令牌和会话立即失效，其未解决的会话将回到待分配队列。',
  enable: '启用', disable: '停用', apiTokens: 'API 令牌', sessions: '登录会话', access: '令牌与会话', disabled: '已停用', active: '正常',
  actor: '操作人', anyone: '任何人', action: '操作', since: '起始日期', filter: '筛选', target: '对象', currentPassword: '当前密码',
  newPassword: '新密码', changePassword: '修改密码', passwordChanged: '密码已修改。', account: '我的账户',
  repliesGoTo: '回复发送至', changeReplyTarget: '更改', newReplyTarget: '回复发送到（此渠道上的地址）',
};

let locale: Locale = 'en';
let dict: Dict = en;

export function setLocale(l: Locale): void {
  locale = l;
  dict = l === 'zh-CN' ? zh : en;
  document.documentElement.lang = l;
}
export const getLocale = () => locale;

export function t(key: string): string {
  return (dict as Record<string, string>)[key] ?? (en as Record<string, string>)[key] ?? key;
}

export function fmtTime(iso: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function relTime(iso: string): string {
  const d = new Date(iso);
  const diff = (Date.now() - d.getTime()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'narrow' });
  if (diff < 45) return rtf.format(0, 'second');
  if (diff < 3600) return rtf.format(-Math.round(diff / 60), 'minute');
  if (diff < 86_400) return rtf.format(-Math.round(diff / 3600), 'hour');
  if (diff < 7 * 86_400) return rtf.format(-Math.round(diff / 86_400), 'day');
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' }).format(d);
}
