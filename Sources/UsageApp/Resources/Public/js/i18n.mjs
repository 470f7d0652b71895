// The app's words in Korean and English, and times and counts as the platform writes them
// in the chosen language and the dorm's time zone. Pure: nothing here touches the page
// until translatePage is called, so node tests every string.
//
// A string is looked up by key with `t(key, params)`; `{name}` in it is replaced by
// params.name. A count is a value `{one, other, …}` whose form Intl.PluralRules picks for
// params.count (Korean needs only `other`). What the server writes (problem details, alert
// titles and bodies, notices) comes in the language asked for and is never translated here.

/** The languages the app speaks (English is the last resort: see pickLanguage). */
export const LANGUAGES = ['ko', 'en'];

export const catalogues = {
  en: {
    // The header, the connection badge, the enrollment screen
    'alerts.button': 'Alerts',
    'alerts.unread': 'Alerts, {count} unread',
    'notices.label': 'Notices',
    'connection.live': 'Live',
    'connection.connecting': 'Connecting…',
    'connection.reconnecting': 'Reconnecting…',
    'connection.offline': 'Offline',
    'connection.signedOut': 'Not signed in',
    'enroll.title': 'Join your laundry room',
    'enroll.intro': 'Enter the code your dorm admin gave you, or open the link they sent.',
    'enroll.code': 'Enrollment code',
    'enroll.join': 'Join',
    'enroll.demo': 'This server runs the demo dorm.',
    'enroll.tryDemo': 'Try the demo',
    'enroll.failed': 'The server cannot be reached. Check your connection and try again.',
    'enroll.offline': 'The server cannot be reached right now. Try again when you are online.',
    'enroll.sessionEnded': 'Your session has ended. Enter a new code from your dorm admin.',
    'error.offline': 'The server cannot be reached. Try again when you are online.',
    'error.status': 'The server answered {status}.',

    // The board
    'board.title': 'Machines',
    'board.glance': 'At a glance',
    'board.asOf': 'As of {time}: this board updates when the connection is back.',
    'kind.washers': 'Washers',
    'kind.dryers': 'Dryers',
    'kind.others': 'Other machines',
    'summary.free': '{free} of {total} free',
    'summary.nextFree': 'next free in {minutes}',
    'summary.awaitingPickup': 'none free · {count} awaiting pickup',
    'summary.noneWorking': 'none working',
    'summary.position': 'you are #{position} in line',
    'summary.stopWaiting': 'Stop waiting',
    'summary.stopWaitingFor': 'Stop waiting for {kinds}',
    'summary.notifyMe': 'Notify me',
    'summary.notifyMeWhen': 'Notify me when one of the {kinds} is free',
    'machine.free': 'Free',
    'machine.keptForYou': 'Kept for you · {left}',
    'machine.youWaited': 'You were waiting for it',
    'machine.keptForOther': 'Kept for a waiting resident · {left}',
    'machine.running': 'Running · {left} left',
    'machine.yourLaundry': 'Your laundry',
    'machine.done': 'Done — awaiting pickup',
    'machine.yourLaundryReady': 'Your laundry is ready',
    'machine.broken': 'Out of order',
    'machine.reportedBy': { one: 'Reported by {count} resident', other: 'Reported by {count} residents' },
    'machine.more': 'More for {label}',
    'notice.info': 'Notice',
    'notice.warning': 'Warning',
    'notice.outage': 'Out of service',
    'dialog.close': 'Close',

    // What a resident does to a machine
    'action.start': 'Start',
    'action.startFor': 'Start for {minutes}',
    'action.startLabel': 'Start {label} for {minutes}',
    'action.minutes': 'min',
    'action.minutesFor': 'Minutes for {label}',
    'action.startGiven': 'Start {label} for the minutes given',
    'action.collect': 'Collected',
    'action.cancel': 'Cancel this use',
    'action.pickup': 'Ask owner',
    'action.report': 'Report a problem',
    'request.start': 'Start {label}',
    'request.collect': 'Collect from {label}',
    'request.cancel': 'Cancel {label}',
    'request.pickup': 'Ask the owner of {label} to collect',
    'request.report': 'Report on {label}',
    'done.pickup': 'The owner has been asked to collect.',
    'done.report': 'Thank you: the admins will see your report.',
    'queued.waiting': { one: '{count} action waits to be sent.', other: '{count} actions wait to be sent.' },
    'queued.unreachable': '{label}: the server cannot be reached. It is sent as soon as the connection is back.',
    'queued.notSent': '{label}: not sent',
    'queued.stale': 'It waited {minutes} while offline; the machine may be taken by now.',
    'queued.startNow': 'Start now',
    'report.question': 'What is wrong with {label}?',
    'report.cancel': 'Cancel',
    'report.send': 'Send report',

    // The alert centre
    'alerts.title': 'Your alerts',
    'alerts.help': 'The last 30 days, newest first. Read on one device, read on all.',
    'alerts.empty': 'No alerts yet.',
    'alerts.more': 'Older alerts',
    'alerts.allRead': 'Mark all read',
    'alerts.new': 'New: {title}. {body}',
    'delivery.shown': 'Shown in the app at {time}',
    'delivery.pushed': 'Sent as a notification at {time}',
    'delivery.dropped': 'Not sent: {reason}',
    'delivery.failed': 'The notification did not reach any device',
    'delivery.noDevice': 'No device takes notifications',
    'delivery.sending': 'Sending as a notification since {time}',
    'delivery.held': 'Held for {reason} until {time}',
    'delivery.live': 'Sent to the open app at {time}',
    'delivery.waiting': 'Waiting to be sent',
    'reason.quietHours': 'your quiet hours',
    'reason.quietNotice': 'a quiet notice',
    'reason.urgentNotice': 'an urgent notice',
    'reason.muted': 'you muted these',
    'reason.stale': 'it was over by then',
    'reason.unacknowledged': 'no open app showed it',

    // Staff's open reports
    'reports.title': 'Open reports',
    'reports.help': 'Problems residents reported and no repair has closed yet, newest first.',
    'reports.empty': 'No open reports.',

    // Settings: notifications, quiet hours, language
    'settings.title': 'Notifications',
    'settings.pushSwitch': 'Notify me on this device when the app is closed',
    'settings.pushHelp': 'You get your laundry alerts and pushed notices even when Washboard is closed.',
    'settings.pushNotSetUp': 'Notifications are not set up on this server yet.',
    'settings.devices': 'Your devices that get notifications',
    'settings.deviceFailing': 'Notifications are not reaching this device right now.',
    'settings.test': 'Send me a test notification',
    'settings.testNoDevice': 'No device gets notifications.',
    'settings.testSent': { one: 'Sent to {count} device.', other: 'Sent to {count} devices.' },
    'settings.testUnreachable': 'Not sent: the server cannot be reached.',
    'settings.quietHours': 'Quiet hours',
    'settings.quietHelp': 'Your own laundry alerts come silently in this period; notices wait until it ends.',
    'settings.from': 'From',
    'settings.to': 'to',
    'settings.save': 'Save',
    'settings.noQuiet': 'No quiet hours',
    'settings.language': 'Language',
    'settings.languageUnsent': 'Language changed on this device. Your account follows once the server can be reached.',
    'settings.signOut': 'Sign out on this device',
    'quiet.set': 'Quiet from {start} to {end}.',
    'quiet.none': 'No quiet hours set.',
    'quiet.saved': 'Saved: quiet from {start} to {end}.',
    'quiet.savedNone': 'Saved: no quiet hours.',
    'quiet.unreachable': 'Not saved: the server cannot be reached.',
    'push.homeScreen':
      'On iPhone and iPad, notifications work once Washboard is on your home screen: tap Share, then "Add to Home Screen", and open it from there.',
    'push.unsupported': 'This browser cannot show notifications from Washboard.',
    'push.blocked': 'Notifications are blocked for this site; allow them in the browser settings.',
    'device.this': 'This device',
    'device.gone': '{name} · no longer reachable: turn notifications on again there',
    'device.failing': {
      one: '{name} · failing: the last notification did not arrive',
      other: '{name} · failing: the last {count} notifications did not arrive',
    },
    'device.failingAnswer': {
      one: '{name} · failing: the last notification did not arrive (last answer {status})',
      other: '{name} · failing: the last {count} notifications did not arrive (last answer {status})',
    },
    'device.working': '{name} · working, last notification {time}',
    'device.workingNone': '{name} · working, no notification yet',

    // Toasts
    'toast.ok': 'OK',
    'toast.dismiss': 'Dismiss: {title}',

    // The laundry room screen
    'kiosk.title': 'Laundry room',
    'kiosk.pageTitle': 'Washboard · laundry room',
    'kiosk.unknown': 'This kiosk link is unknown or was revoked. Ask an admin for a new one.',
    'kiosk.waiting': 'Waiting for the server…',
    'kiosk.revoked': 'This kiosk was revoked. Ask an admin for a new link.',
  },

  ko: {
    'alerts.button': '알림',
    'alerts.unread': '알림, 읽지 않음 {count}개',
    'notices.label': '공지',
    'connection.live': '연결됨',
    'connection.connecting': '연결 중…',
    'connection.reconnecting': '다시 연결 중…',
    'connection.offline': '오프라인',
    'connection.signedOut': '로그인 필요',
    'enroll.title': '세탁실 이용 등록',
    'enroll.intro': '기숙사 관리자에게 받은 코드를 입력하거나, 받은 링크를 열어 주세요.',
    'enroll.code': '등록 코드',
    'enroll.join': '등록',
    'enroll.demo': '이 서버는 체험용 기숙사를 운영하고 있어요.',
    'enroll.tryDemo': '체험해 보기',
    'enroll.failed': '서버에 연결할 수 없어요. 인터넷 연결을 확인한 뒤 다시 시도해 주세요.',
    'enroll.offline': '지금은 서버에 연결할 수 없어요. 인터넷에 연결되면 다시 시도해 주세요.',
    'enroll.sessionEnded': '로그인이 만료되었어요. 기숙사 관리자에게 새 코드를 받아 입력해 주세요.',
    'error.offline': '서버에 연결할 수 없어요. 인터넷에 연결되면 다시 시도해 주세요.',
    'error.status': '서버에서 오류가 났어요(응답 {status}).',

    'board.title': '기기 현황',
    'board.glance': '한눈에 보기',
    'board.asOf': '{time} 기준 현황이에요. 다시 연결되면 새로 고쳐져요.',
    'kind.washers': '세탁기',
    'kind.dryers': '건조기',
    'kind.others': '기타 기기',
    'summary.free': '{total}대 중 {free}대 사용 가능',
    'summary.nextFree': '{minutes} 후 사용 가능',
    'summary.awaitingPickup': '빈 기기 없음 · {count}대 수거 대기 중',
    'summary.noneWorking': '작동하는 기기 없음',
    'summary.position': '내 대기 순서 {position}번',
    'summary.stopWaiting': '대기 취소',
    'summary.stopWaitingFor': '{kinds} 대기 취소',
    'summary.notifyMe': '알림 받기',
    'summary.notifyMeWhen': '{kinds} 중 하나가 비면 알림 받기',
    'machine.free': '비어 있음',
    'machine.keptForYou': '회원님을 위해 비워 둠 · {left}',
    'machine.youWaited': '기다리시던 기기예요',
    'machine.keptForOther': '대기자를 위해 비워 둠 · {left}',
    'machine.running': '사용 중 · {left} 남음',
    'machine.yourLaundry': '내 세탁물',
    'machine.done': '완료 — 수거 대기 중',
    'machine.yourLaundryReady': '내 세탁물이 다 됐어요',
    'machine.broken': '고장',
    'machine.reportedBy': { other: '주민 {count}명이 신고함' },
    'machine.more': '{label} 더 보기',
    'notice.info': '공지',
    'notice.warning': '주의',
    'notice.outage': '운영 중단',
    'dialog.close': '닫기',

    'action.start': '시작',
    'action.startFor': '{minutes} 동안 사용 시작',
    'action.startLabel': '{label} {minutes} 동안 사용 시작',
    'action.minutes': '분',
    'action.minutesFor': '{label} 사용 시간(분)',
    'action.startGiven': '입력한 시간으로 {label} 사용 시작',
    'action.collect': '수거 완료',
    'action.cancel': '사용 취소',
    'action.pickup': '수거 요청',
    'action.report': '문제 신고',
    'request.start': '{label} 사용 시작',
    'request.collect': '{label} 수거 완료',
    'request.cancel': '{label} 사용 취소',
    'request.pickup': '{label} 사용자에게 수거 요청',
    'request.report': '{label} 문제 신고',
    'done.pickup': '사용자에게 세탁물을 찾아가 달라고 요청했어요.',
    'done.report': '신고해 주셔서 감사합니다. 관리자가 확인할 거예요.',
    'queued.waiting': { other: '전송을 기다리는 작업이 {count}개 있어요.' },
    'queued.unreachable': '{label}: 서버에 연결할 수 없어요. 연결되는 대로 보낼게요.',
    'queued.notSent': '{label}: 보내지 않음',
    'queued.stale': '오프라인 상태로 {minutes} 동안 기다렸어요. 그사이 다른 사람이 기기를 쓰고 있을 수 있어요.',
    'queued.startNow': '지금 시작',
    'report.question': '{label}에 어떤 문제가 있나요?',
    'report.cancel': '취소',
    'report.send': '신고 보내기',

    'alerts.title': '내 알림',
    'alerts.help': '최근 30일 동안 받은 알림을 최신순으로 보여 드려요. 한 기기에서 읽으면 모든 기기에서 읽음으로 표시돼요.',
    'alerts.empty': '아직 받은 알림이 없어요.',
    'alerts.more': '이전 알림 보기',
    'alerts.allRead': '모두 읽음으로 표시',
    'alerts.new': '새 알림: {title}. {body}',
    'delivery.shown': '{time}에 앱에 표시됨',
    'delivery.pushed': '{time}에 알림으로 보냄',
    'delivery.dropped': '보내지 않음: {reason}',
    'delivery.failed': '알림이 어떤 기기에도 전달되지 않았어요',
    'delivery.noDevice': '알림을 받는 기기가 없어요',
    'delivery.sending': '{time}부터 알림으로 보내는 중',
    'delivery.held': '{time}까지 보류 ({reason})',
    'delivery.live': '{time}에 열려 있던 앱으로 보냄',
    'delivery.waiting': '전송 대기 중',
    'reason.quietHours': '방해 금지 시간',
    'reason.quietNotice': '무음 공지',
    'reason.urgentNotice': '긴급 공지',
    'reason.muted': '알림을 끈 종류',
    'reason.stale': '이미 지난 일',
    'reason.unacknowledged': '열린 앱에 표시되지 않음',

    'reports.title': '미처리 신고',
    'reports.help': '주민이 신고했지만 아직 수리되지 않은 문제예요. 최신순으로 보여 드려요.',
    'reports.empty': '미처리 신고가 없어요.',

    'settings.title': '알림',
    'settings.pushSwitch': '앱을 닫아도 이 기기로 알림 받기',
    'settings.pushHelp': 'Washboard를 닫아도 세탁 알림과 공지를 받을 수 있어요.',
    'settings.pushNotSetUp': '이 서버에는 아직 알림이 설정되지 않았어요.',
    'settings.devices': '알림을 받는 내 기기',
    'settings.deviceFailing': '지금 이 기기로 알림이 전달되지 않고 있어요.',
    'settings.test': '테스트 알림 보내기',
    'settings.testNoDevice': '알림을 받는 기기가 없어요.',
    'settings.testSent': { other: '기기 {count}대로 보냈어요.' },
    'settings.testUnreachable': '보내지 못했어요. 서버에 연결할 수 없어요.',
    'settings.quietHours': '방해 금지 시간',
    'settings.quietHelp': '이 시간에는 내 세탁 알림이 소리 없이 오고, 공지는 끝난 뒤에 와요.',
    'settings.from': '시작',
    'settings.to': '종료',
    'settings.save': '저장',
    'settings.noQuiet': '방해 금지 안 함',
    'settings.language': '언어',
    'settings.languageUnsent': '이 기기의 언어를 바꿨어요. 서버에 연결되면 계정에도 저장할게요.',
    'settings.signOut': '이 기기에서 로그아웃',
    'quiet.set': '{start}부터 {end}까지 방해 금지예요.',
    'quiet.none': '방해 금지 시간이 없어요.',
    'quiet.saved': '저장했어요: {start}부터 {end}까지 방해 금지.',
    'quiet.savedNone': '저장했어요: 방해 금지 시간 없음.',
    'quiet.unreachable': '저장하지 못했어요. 서버에 연결할 수 없어요.',
    'push.homeScreen':
      'iPhone과 iPad에서는 Washboard를 홈 화면에 추가해야 알림을 받을 수 있어요. 공유 버튼을 누르고 "홈 화면에 추가"를 고른 뒤, 홈 화면에서 열어 주세요.',
    'push.unsupported': '이 브라우저에서는 Washboard 알림을 받을 수 없어요.',
    'push.blocked': '이 사이트의 알림이 차단되어 있어요. 브라우저 설정에서 허용해 주세요.',
    'device.this': '이 기기',
    'device.gone': '{name} · 더 이상 연결되지 않음: 그 기기에서 알림을 다시 켜 주세요',
    'device.failing': { other: '{name} · 오류: 최근 알림 {count}개가 도착하지 않음' },
    'device.failingAnswer': { other: '{name} · 오류: 최근 알림 {count}개가 도착하지 않음 (마지막 응답 {status})' },
    'device.working': '{name} · 정상, 마지막 알림 {time}',
    'device.workingNone': '{name} · 정상, 아직 받은 알림 없음',

    'toast.ok': '확인',
    'toast.dismiss': '닫기: {title}',

    'kiosk.title': '세탁실',
    'kiosk.pageTitle': 'Washboard · 세탁실',
    'kiosk.unknown': '알 수 없거나 취소된 키오스크 링크예요. 관리자에게 새 링크를 요청해 주세요.',
    'kiosk.waiting': '서버 연결을 기다리는 중…',
    'kiosk.revoked': '이 키오스크 링크가 취소되었어요. 관리자에게 새 링크를 요청해 주세요.',
  },
};

let language = 'en';
/** The locale Intl formats with: the language, or the device's own variant of it. */
let locale = 'en';
/** The dorm's IANA time zone; undefined formats in the device's own. */
let timeZone;

/** The language `t` speaks; anything but 'ko' or 'en' is refused. */
export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new RangeError(`Unknown language ${lang}`);
  language = lang;
  locale = formattingLocale(lang, globalThis.navigator?.languages ?? []);
}

export const currentLanguage = () => language;

/** The dorm's time zone, as GET /api/locale gives it; one the platform does not know is ignored. */
export function setTimeZone(zone) {
  timeZone = zone && knownTimeZone(zone) ? zone : undefined;
}

function knownTimeZone(zone) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The language to show: the resident's preference, else the first of the device's languages
 * that is Korean or English (ko-KR, en-GB…), else the dorm's default, else English.
 */
export function pickLanguage({ preference, navigatorLanguages = [], defaultLanguage } = {}) {
  if (LANGUAGES.includes(preference)) return preference;
  const spoken = navigatorLanguages.map(primarySubtag).find((tag) => LANGUAGES.includes(tag));
  if (spoken) return spoken;
  return LANGUAGES.includes(defaultLanguage) ? defaultLanguage : 'en';
}

const primarySubtag = (tag) => String(tag).split('-')[0].toLowerCase();

/**
 * The locale to format times and numbers in: the device's own variant of `lang` when it has
 * one (an en-GB phone keeps its 24-hour clock in English), else `lang` itself.
 */
export function formattingLocale(lang, navigatorLanguages) {
  return navigatorLanguages.find((tag) => primarySubtag(tag) === lang) ?? lang;
}

const formatters = new Map();

/** An Intl formatter, made once per kind, locale and options: the board redraws every second. */
function formatter(Kind, locales, options = {}) {
  const key = `${Kind.name}|${locales}|${JSON.stringify(options)}`;
  if (!formatters.has(key)) formatters.set(key, new Kind(locales, options));
  return formatters.get(key);
}

/** The string `key` in the current language, its `{placeholders}` filled from `params`. */
export function t(key, params = {}) {
  const entry = catalogues[language][key] ?? catalogues.en[key];
  if (entry === undefined) return key;
  const text = typeof entry === 'string' ? entry : entry[formatter(Intl.PluralRules, locale).select(params.count ?? 0)] ?? entry.other;
  return text.replace(/\{(\w+)\}/g, (placeholder, name) => {
    const value = params[name];
    if (value === undefined) return placeholder;
    return typeof value === 'number' ? formatter(Intl.NumberFormat, locale).format(value) : String(value);
  });
}

/** `time` (ms or a date-time string) as the clock reads it in the dorm: "14:05", "02:05 PM", "오후 02:05". */
export function clockTime(time, { locales = locale, timeZone: zone = timeZone } = {}) {
  return formatter(Intl.DateTimeFormat, locales, { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(time));
}

/** `time` with its weekday, for what may be days old: "Tue 14:05", "(화) 오후 02:05". */
export function dayTime(time, { locales = locale, timeZone: zone = timeZone } = {}) {
  return formatter(Intl.DateTimeFormat, locales, { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone })
    .format(new Date(time));
}

/** A number of minutes: "12 min", "12분"; `long` for screen readers: "12 minutes". */
export function minutes(count, { long = false } = {}) {
  return formatter(Intl.NumberFormat, locale, { style: 'unit', unit: 'minute', unitDisplay: long ? 'long' : 'short' })
    .format(count);
}

/**
 * Puts the page's fixed words in the current language: the text of every element with
 * `data-i18n="key"`, the aria-label of every one with `data-i18n-aria-label="key"`, and the
 * page's `lang`. What scripts write they write again themselves.
 */
export function translatePage(root) {
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll('[data-i18n-aria-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nAriaLabel));
  }
  if (root.documentElement) root.documentElement.lang = language;
}
