"""The resident PWA end to end: the real `washboard` binary on a temporary SQLite file,
driven through headless Chromium with Selenium. Run by scripts/e2e (part of scripts/test).

Waits poll the page (WebDriverWait); nothing sleeps to synchronise.
"""

import json
import os
import pathlib
import re
import socket
import sqlite3
import subprocess
import tempfile
import threading
import unittest
import urllib.request

import websocket
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("WASHBOARD_BIN", str(ROOT / ".build" / "debug" / "washboard"))
ARTIFACTS = ROOT / ".build" / "test-artifacts"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dorm:
    """A database with machines and residents, and the server on it (started and stopped at will)."""

    def __init__(self, machines=True):
        self.folder = tempfile.TemporaryDirectory(prefix="washboard-e2e-")
        self.db = os.path.join(self.folder.name, "washboard.sqlite")
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.server = None
        machine_list = [("W1", "washer", "Hall A"), ("W2", "washer", "Hall A"), ("D1", "dryer", "Hall B")]
        for machine, kind, location in machine_list if machines else []:
            self.cli("machine", "add", machine, "--kind", kind, "--location", location)

    def cli(self, *args):
        result = subprocess.run(
            [BINARY, "admin", *args, "--json", "--db", self.db], capture_output=True, text=True, timeout=30
        )
        if result.returncode != 0:
            raise AssertionError(f"washboard admin {' '.join(args)}: {result.stderr}")
        return json.loads(result.stdout)

    def start(self, *extra):
        self.server = subprocess.Popen(
            [BINARY, "serve", "--db", self.db, "--port", str(self.port), "--public-origin", self.origin,
             "--log-level", os.environ.get("E2E_SERVER_LOG_LEVEL", "warning"), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        # The output is read to its end on a thread, so that the server never blocks on a
        # full pipe; the test goes on once the server says it listens.
        self.output = []
        listening = threading.Event()

        def drain(server):
            for line in server.stdout:
                self.output.append(line)
                if "serving on" in line:
                    listening.set()
            listening.set()

        threading.Thread(target=drain, args=(self.server,), daemon=True).start()
        listening.wait(timeout=30)
        if self.server.poll() is not None or not any("serving on" in line for line in self.output):
            raise AssertionError("the server did not start: " + "".join(self.output[-20:]))

    def stop(self):
        self.server.terminate()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
            raise AssertionError("the server did not stop within 10 s of SIGTERM: " + "".join(self.output[-40:]))
        self.server = None

    def close(self):
        if self.server:
            self.stop()
        self.folder.cleanup()

    def enrollment_code(self, name):
        return self.cli("resident", "add", "--name", name, "--room", "101")["code"]

    def request(self, method, path, token=None, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.origin + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def token(self, name):
        return self.request("POST", "/api/session", body={"code": self.enrollment_code(name)})["token"]


def sqlite(path, query):
    """Reads the server's database directly (SQLite allows a reader next to the server)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
        return connection.execute(query).fetchall()


def chromium(language=None):
    """Headless Chromium; `language` (e.g. "ko-KR") is the browser's own, as navigator.languages says."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,900"]:
        options.add_argument(argument)
    if language:
        options.add_argument(f"--lang={language}")
        options.add_experimental_option("prefs", {"intl.accept_languages": f"{language},{language.split('-')[0]}"})
    return webdriver.Chrome(options=options, service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")))


class DevTools:
    """A second DevTools connection to the page, for events Selenium does not relay."""

    def __init__(self, driver):
        address = driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
        with urllib.request.urlopen(f"http://{address}/json/list", timeout=10) as response:
            targets = json.loads(response.read())
        page = next(t for t in targets if t["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=10, suppress_origin=True)
        self.next_id = 0
        # Events that arrived while waiting for a reply: Chromium may send the events a
        # command causes before its reply.
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for_event(self, method, predicate):
        while True:
            message = self.events.pop(0) if self.events else json.loads(self.socket.recv())
            if message.get("method") == method and predicate(message["params"]):
                return message["params"]

    def close(self):
        self.socket.close()


def glance(driver):
    """The summary's lines as "location · line", each with its whitespace made single spaces."""
    return [f"{ul.get_attribute('aria-label')} · " + " ".join(li.text.split())
            for ul in driver.find_elements(By.CSS_SELECTOR, "#summary ul") for li in ul.find_elements(By.TAG_NAME, "li")]


class PWATests(unittest.TestCase):
    def setUp(self):
        self.dorm = Dorm()
        self.addCleanup(self.dorm.close)
        self.dorm.start()
        self.driver = chromium()
        self.addCleanup(self.driver.quit)

    # Helpers

    def wait(self, condition, seconds=10, message=""):
        return WebDriverWait(self.driver, seconds, poll_frequency=0.05).until(lambda _: condition(), message)

    def card(self, machine):
        return self.driver.find_element(By.ID, f"machine-{machine}")

    def phase(self, machine):
        return self.card(machine).get_attribute("data-phase")

    def open_menu(self, machine):
        self.card(machine).find_element(By.CSS_SELECTOR, "button.more").click()
        menu = self.driver.find_element(By.ID, "machine-menu")
        self.wait(menu.is_displayed, message="the machine's menu opens")
        return menu

    def glance(self):
        return glance(self.driver)

    def connection(self):
        return self.driver.find_element(By.ID, "connection").get_attribute("data-state")

    def enroll(self, name="Ada"):
        self.driver.get(f"{self.dorm.origin}/join#code={self.dorm.enrollment_code(name)}")
        self.wait(lambda: self.connection() == "live", message="the board goes live")
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, ".machine")) == 3)

    # Tests

    def test_enroll_then_a_use_by_another_resident_appears_within_a_second(self):
        self.enroll()
        locations = [h.text for h in self.driver.find_elements(By.CSS_SELECTOR, ".location h3")]
        self.assertEqual(locations, ["Hall A", "Hall B"])
        self.assertEqual(self.phase("W2"), "free")
        self.assertEqual(self.card("W1").find_elements(By.CSS_SELECTOR, "input"), [], "no minutes box on the row")
        menu = self.open_menu("W1")
        self.assertEqual(menu.find_element(By.CSS_SELECTOR, "input").get_attribute("value"), "45")
        menu.find_element(By.XPATH, ".//button[text()='Close']").click()
        self.wait(lambda: not menu.is_displayed())
        self.assertIn("Hall A · Washers 2 of 2 free", self.glance())

        ben = self.dorm.token("Ben")
        self.dorm.request("POST", "/api/machines/W2/uses", ben, {})
        self.wait(lambda: self.phase("W2") == "running", seconds=1, message="Ben's use shows within a second")
        self.assertRegex(self.card("W2").find_element(By.CLASS_NAME, "machine-status").text, r"Running · \d\d:\d\d left")
        self.wait(lambda: "Hall A · Washers 1 of 2 free" in self.glance(),
                  message="the summary counts Ben's use")

        # One tap: Ada starts W1 herself, and it is hers.
        self.card("W1").find_element(By.XPATH, ".//button[text()='Start']").click()
        self.wait(lambda: self.card("W1").get_attribute("data-mine") == "true")
        self.assertEqual(self.phase("W1"), "running")
        self.card("W1").find_element(By.XPATH, ".//button[text()='Collected']").click()
        self.wait(lambda: self.phase("W1") == "free")

    def test_a_machine_label_opens_the_app_on_it_with_one_tap_start(self):
        # On a phone, signed out first: the label's address survives signing in.
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True})
        self.driver.get(f"{self.dorm.origin}/m/W2")
        self.wait(lambda: self.driver.find_element(By.ID, "enroll").is_displayed())
        self.driver.find_element(By.ID, "enroll-code").send_keys(self.dorm.enrollment_code("Ada"))
        self.driver.find_element(By.CSS_SELECTOR, "#enroll-form button[type='submit']").click()
        menu = self.driver.find_element(By.ID, "machine-menu")
        self.wait(menu.is_displayed, message="the machine's menu opens by itself")
        self.assertEqual(self.driver.find_element(By.ID, "menu-title").text, "Washer W2")
        menu.find_element(By.XPATH, ".//button[text()='Start for 45 min']").click()
        self.wait(lambda: self.phase("W2") == "running", message="one tap started it")
        self.assertFalse(menu.is_displayed())
        self.assertEqual(self.dorm.cli("stats")["startsFromLabels"], 1)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.assertTrue(self.driver.save_screenshot(str(ARTIFACTS / "label-start-390x844.png")))

    def test_a_kiosk_shows_its_location_live_without_a_touch_and_without_residents(self):
        kiosk = self.dorm.cli("kiosk", "add", "--name", "Basement screen", "--location", "Hall A")
        self.driver.set_window_size(1920, 1080)
        self.driver.get(kiosk["url"])
        # Read in one script: the screen redraws its rows, and an element found in one call
        # may be gone by the next.
        kiosk_phase = lambda machine: self.driver.execute_script(
            "return document.getElementById(arguments[0])?.dataset.phase ?? null", f"kiosk-{machine}")
        self.wait(lambda: self.driver.find_element(By.ID, "kiosk-connection").text == "Live", message="the kiosk goes live")
        self.assertEqual(self.driver.find_element(By.ID, "kiosk-title").text, "Hall A")
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, ".kiosk-machine")), 2, "only Hall A's machines")
        self.assertNotIn("token=", self.driver.current_url, "the token leaves the address bar")

        ben = self.dorm.token("Ben")
        use = self.dorm.request("POST", "/api/machines/W1/uses", ben, {})
        self.wait(lambda: kiosk_phase("W1") == "running", seconds=2, message="the change shows within a second or two")
        self.assertRegex(self.driver.find_element(By.ID, "kiosk-W1").text, r"Running · \d\d:\d\d left")
        self.assertIn("Washers: 1 of 2 free", self.driver.find_element(By.ID, "kiosk-summary").text)
        self.assertNotIn(use["residentId"], self.driver.page_source)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.assertTrue(self.driver.save_screenshot(str(ARTIFACTS / "kiosk-1920x1080.png")))

        # The server restarts: the screen reconnects by itself and catches up.
        self.dorm.stop()
        self.wait(lambda: self.driver.find_element(By.ID, "kiosk-connection").text != "Live")
        self.dorm.cli("machine", "broken", "W2", "--note", "drum")
        self.dorm.start()
        self.wait(lambda: kiosk_phase("W2") == "broken", seconds=15, message="back by itself, without a reload")

    def test_a_change_made_while_the_server_was_down_shows_without_reload(self):
        self.enroll()
        self.driver.execute_script("window.sameDocument = true")
        self.dorm.stop()
        self.wait(lambda: self.connection() in ("reconnecting", "offline"), message="the badge shows the loss")
        self.assertTrue(self.driver.find_element(By.ID, "stale").is_displayed(), "the board says how old it is")

        self.dorm.cli("machine", "broken", "D1", "--note", "drum does not turn")
        self.dorm.start()
        self.wait(lambda: self.phase("D1") == "broken", seconds=40, message="the page catches up by itself")
        self.assertEqual(self.card("D1").find_element(By.CLASS_NAME, "machine-note").text, "drum does not turn")
        self.assertTrue(self.driver.execute_script("return window.sameDocument === true"), "no reload happened")
        self.wait(lambda: self.connection() == "live")
        self.assertFalse(self.driver.find_element(By.ID, "stale").is_displayed())

    def test_the_app_opens_offline_with_the_last_board(self):
        self.enroll()
        self.wait(lambda: self.driver.execute_script("return navigator.serviceWorker.controller !== null"))
        self.dorm.stop()
        self.driver.refresh()
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, ".machine")) == 3, message="the cached board")
        self.assertTrue(self.driver.find_element(By.ID, "stale").is_displayed())
        self.assertNotEqual(self.connection(), "live")

    def notifications(self):
        return self.driver.execute_async_script(
            "const done = arguments[0];"
            "navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(list => done(list.map(n => ({title: n.title, tag: n.tag, body: n.body}))));")

    def deliver_push(self, payload):
        """Delivers `payload` to the page's service worker as a push over the DevTools
        protocol, with notifications allowed; returns the notifications then shown."""
        scope = f"{self.dorm.origin}/"
        self.wait(lambda: self.driver.execute_script("return navigator.serviceWorker.controller !== null"),
                  message="the service worker controls the page")
        self.driver.execute_cdp_cmd(
            "Browser.grantPermissions", {"origin": self.dorm.origin, "permissions": ["notifications"]})
        devtools = DevTools(self.driver)
        self.addCleanup(devtools.close)
        devtools.call("ServiceWorker.enable")
        registration = devtools.wait_for_event(
            "ServiceWorker.workerRegistrationUpdated",
            lambda params: any(r["scopeURL"] == scope and not r["isDeleted"] for r in params["registrations"]))
        registration_id = next(r["registrationId"] for r in registration["registrations"] if r["scopeURL"] == scope)
        # Headless Chromium now and then drops a push delivered over DevTools (about one run
        # in fifteen here: permission granted, worker active, no error anywhere), so the
        # harness delivers again, up to three times. Each delivery carries the same tag, so
        # the worker showing them all still leaves one notification.
        for _ in range(3):
            devtools.call("ServiceWorker.deliverPushMessage", origin=self.dorm.origin,
                          registrationId=registration_id, data=json.dumps(payload))
            try:
                return self.wait(lambda: self.notifications() or None, seconds=5, message="a notification is shown")
            except TimeoutException:
                continue
        self.fail("a push becomes a notification")

    def test_the_service_worker_controls_the_page_and_turns_a_push_into_a_notification(self):
        self.enroll()
        self.wait(lambda: self.driver.execute_script("return navigator.serviceWorker.controller !== null"),
                  message="the service worker controls the page")
        installability = self.driver.execute_cdp_cmd("Page.getInstallabilityErrors", {})
        self.assertEqual(installability.get("installabilityErrors"), [], "Chromium would install the app")
        manifest = self.driver.execute_cdp_cmd("Page.getAppManifest", {})
        self.assertEqual(manifest.get("errors"), [])
        payload = {"id": "a1", "kind": "cycle_done", "title": "W1: your laundry is done", "body": "Collect it",
                   "url": "/#machine-W1", "tag": "machine-W1", "silent": False}
        shown = self.deliver_push(payload)
        self.assertEqual(shown, [{"title": payload["title"], "tag": "machine-W1", "body": "Collect it"}])

    def test_a_notification_about_a_load_closes_itself_once_the_load_is_collected(self):
        self.enroll()
        self.card("W2").find_element(By.XPATH, ".//button[text()='Start']").click()
        self.wait(lambda: self.card("W2").get_attribute("data-mine") == "true")
        payload = {"id": "a7", "kind": "cycle_done", "title": "W2: your laundry is done", "body": "Collect it",
                   "url": "/#machine-W2", "tag": "machine-W2", "silent": False}
        self.assertEqual([n["tag"] for n in self.deliver_push(payload)], ["machine-W2"])
        self.card("W2").find_element(By.XPATH, ".//button[text()='Collected']").click()
        self.wait(lambda: self.card("W2").get_attribute("data-mine") != "true", message="collected")
        self.wait(lambda: self.notifications() == [], message="its notification is gone")

    def test_an_action_taken_offline_is_sent_when_the_server_is_back(self):
        self.enroll()
        self.dorm.stop()
        self.wait(lambda: self.connection() != "live")
        self.card("W1").find_element(By.XPATH, ".//button[text()='Start']").click()
        queued = self.driver.find_element(By.ID, "queued")
        self.wait(lambda: queued.is_displayed() and queued.text.startswith("1 action"), message="the start waits")
        self.assertEqual(self.phase("W1"), "free")
        self.dorm.start()
        self.wait(lambda: self.card("W1").get_attribute("data-mine") == "true", seconds=40, message="replayed")
        self.wait(lambda: not queued.is_displayed())
        uses = sqlite(self.dorm.db, "SELECT count(*) FROM uses WHERE machineId = 'W1'")
        self.assertEqual(uses, [(1,)], "started once")

    def test_an_alert_shows_as_a_toast_and_is_acknowledged_over_the_socket(self):
        self.enroll()
        self.card("W2").find_element(By.XPATH, ".//button[text()='Start']").click()
        self.wait(lambda: self.card("W2").get_attribute("data-mine") == "true")
        self.dorm.cli("machine", "broken", "W2", "--note", "water on the floor")
        # textContent, not .text: a toast fading in is not "displayed" to Selenium yet.
        toasts = "return [...document.querySelectorAll('.toast')].map(t => t.textContent)"
        shown = self.wait(lambda: self.driver.execute_script(toasts), message="a toast")
        self.assertTrue(any("W2: your use has ended" in t and "water on the floor" in t for t in shown), shown)
        acked = "SELECT count(*) FROM alerts WHERE kind = 'use_closed' AND ackedAt IS NOT NULL"
        self.wait(lambda: sqlite(self.dorm.db, acked) == [(1,)], message="the page acked it, so no push follows")

    def badge(self):
        return self.driver.execute_script("return document.getElementById('alerts-badge').textContent")

    def test_the_alert_centre_counts_unread_alerts_and_opens_the_machine_of_one(self):
        self.enroll()
        self.card("W2").find_element(By.XPATH, ".//button[text()='Start']").click()
        self.wait(lambda: self.card("W2").get_attribute("data-mine") == "true")
        self.dorm.cli("machine", "broken", "W2", "--note", "water on the floor")
        self.wait(lambda: self.badge() == "1", message="the unread count on the header")
        self.assertEqual(self.driver.find_element(By.ID, "alerts-button").get_attribute("aria-label"), "Alerts, 1 unread")

        self.driver.find_element(By.ID, "alerts-button").click()
        centre = self.driver.find_element(By.ID, "alert-centre")
        self.wait(centre.is_displayed, message="the alert centre opens")
        items = centre.find_elements(By.CSS_SELECTOR, ".alert-item")
        self.assertEqual(len(items), 1)
        self.assertIn("W2: your use has ended", items[0].text)
        self.assertIn("Shown in the app at", items[0].text, "the page acked it")
        self.assertEqual(items[0].get_attribute("data-unread"), "true")
        items[0].find_element(By.TAG_NAME, "button").click()
        self.wait(lambda: self.driver.find_element(By.ID, "machine-menu").is_displayed(), message="its machine's menu")
        self.wait(lambda: self.badge() == "", message="read")
        read = "SELECT count(*) FROM alerts WHERE kind = 'use_closed' AND readAt IS NOT NULL"
        self.wait(lambda: sqlite(self.dorm.db, read) == [(1,)], message="read on the server")

    def test_marking_alerts_read_on_one_page_shows_on_another_at_once(self):
        self.enroll()
        first = self.driver.current_window_handle
        self.driver.switch_to.new_window("tab")
        self.driver.get(self.dorm.origin)
        self.wait(lambda: self.connection() == "live", message="the second page goes live")
        second = self.driver.current_window_handle
        self.assertEqual(self.badge(), "")
        self.driver.switch_to.window(first)
        self.card("W2").find_element(By.XPATH, ".//button[text()='Start']").click()
        self.wait(lambda: self.card("W2").get_attribute("data-mine") == "true")
        self.dorm.cli("machine", "broken", "W2", "--note", "water on the floor")
        self.wait(lambda: self.badge() == "1", message="an alert on the first page")
        self.driver.switch_to.window(second)
        self.wait(lambda: self.badge() == "1", message="and on the second")

        self.driver.find_element(By.ID, "alerts-button").click()
        self.driver.find_element(By.ID, "alerts-all-read").click()
        self.wait(lambda: self.badge() == "", message="read here")
        self.driver.switch_to.window(first)
        self.wait(lambda: self.badge() == "", message="and there, without a reload")

    def test_a_subscription_the_server_lost_is_registered_again_and_listed_as_this_device(self):
        # No push service is reachable from here, so the browser's PushManager is replaced by
        # one that hands out a fixed subscription with a real P-256 key; the server's side is real.
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
            const endpoint = 'https://fcm.googleapis.com/fcm/send/e2e-device';
            const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
              .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
            const subscription = crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])
              .then((pair) => crypto.subtle.exportKey('raw', pair.publicKey))
              .then((raw) => {
                const keys = { p256dh: base64url(raw), auth: base64url(crypto.getRandomValues(new Uint8Array(16))) };
                return { endpoint, expirationTime: null, toJSON: () => ({ endpoint, expirationTime: null, keys }),
                         unsubscribe: async () => true };
              });
            if (self.PushManager) {
              PushManager.prototype.getSubscription = () => subscription;
              PushManager.prototype.subscribe = () => subscription;
            }
        """})
        self.driver.execute_cdp_cmd(
            "Browser.grantPermissions", {"origin": self.dorm.origin, "permissions": ["notifications"]})
        self.enroll()
        stored = "SELECT count(*) FROM push_subscriptions WHERE endpoint LIKE '%/e2e-device'"
        self.wait(lambda: sqlite(self.dorm.db, stored) == [(1,)], message="the page posted its subscription again")
        devices = lambda: self.driver.execute_script("return document.getElementById('devices').textContent")
        self.wait(lambda: "This device" in devices(), message="the list names this device")
        self.assertIn("working", devices())
        self.assertTrue(self.driver.find_element(By.ID, "push-test").is_displayed())

    def test_a_problem_report_and_quiet_hours_reach_the_server(self):
        self.enroll()
        self.open_menu("D1").find_element(By.XPATH, ".//button[text()='Report a problem']").click()
        self.driver.find_element(By.ID, "report-text").send_keys("The lint filter is missing")
        self.driver.find_element(By.CSS_SELECTOR, "#report-form button[value='send']").click()
        self.wait(lambda: any("Thank you" in t for t in self.driver.execute_script(
            "return [...document.querySelectorAll('.toast')].map(t => t.textContent)")))
        reports = self.dorm.cli("reports", "list", "--open")
        self.assertEqual([(r["machineId"], r["text"]) for r in reports], [("D1", "The lint filter is missing")])

        for field, value in (("quiet-start", "23:00"), ("quiet-end", "06:30")):
            self.driver.execute_script("document.getElementById(arguments[0]).value = arguments[1]", field, value)
        self.driver.find_element(By.CSS_SELECTOR, "#quiet-form button[type='submit']").click()
        message = self.driver.find_element(By.ID, "quiet-message")
        self.wait(lambda: message.text.startswith("Saved"))
        stored = sqlite(self.dorm.db, "SELECT preferences FROM residents WHERE name = 'Ada'")
        self.assertEqual(json.loads(stored[0][0])["quietHours"], {"start": "23:00", "end": "06:30"})

    def test_staff_see_a_breakdown_two_residents_confirm_until_its_repair(self):
        sam = self.dorm.cli("resident", "add", "--name", "Sam", "--room", "001", "--staff")["code"]
        self.driver.get(f"{self.dorm.origin}/join#code={sam}")
        self.wait(lambda: self.connection() == "live", message="the board goes live")
        reports = self.driver.find_element(By.ID, "staff-reports")
        self.wait(reports.is_displayed, message="staff see the open reports")
        self.wait(lambda: self.driver.find_element(By.ID, "staff-reports-empty").is_displayed())

        def note(machine):
            return self.card(machine).find_element(By.CLASS_NAME, "machine-note").text

        def listed():
            return self.driver.execute_script(
                "return [...document.querySelectorAll('#staff-reports-list li')].map(li => li.textContent)")

        for name in ("Ada", "Ben"):
            self.dorm.request("POST", "/api/machines/W2/reports", self.dorm.token(name), {"text": f"{name}: drum stuck"})
        self.wait(lambda: note("W2") == "Reported by 2 residents", message="the board shows the confirmation")
        self.wait(lambda: len(listed()) == 2, message="both reports are listed")
        self.assertTrue(all("drum stuck" in item for item in listed()))
        self.wait(lambda: any("W2 reported by 2 residents" in t for t in self.driver.execute_script(
            "return [...document.querySelectorAll('.toast')].map(t => t.textContent)")), message="Sam is alerted")

        self.dorm.cli("machine", "broken", "W2", "--note", "drum")
        self.dorm.cli("machine", "repaired", "W2")
        self.wait(lambda: self.phase("W2") == "free" and note("W2") == "", message="the repair clears the board")
        self.wait(lambda: listed() == [], message="the repair resolved the reports")

    def test_signing_out_then_in_as_someone_else_shows_their_board(self):
        self.enroll("Ada")
        self.driver.find_element(By.ID, "sign-out").click()
        self.wait(lambda: self.driver.find_element(By.ID, "enroll").is_displayed())
        self.assertEqual(self.driver.execute_script("return localStorage.getItem('washboard.board')"), None)
        self.enroll("Ben")
        self.card("D1").find_element(By.XPATH, ".//button[text()='Start']").click()
        self.wait(lambda: self.card("D1").get_attribute("data-mine") == "true")

    def test_a_hostile_machine_note_is_shown_as_text(self):
        self.enroll()
        hostile = "<img src=x onerror=alert(1)>"
        self.dorm.cli("machine", "broken", "W2", "--note", hostile)
        self.wait(lambda: self.phase("W2") == "broken")
        note = self.card("W2").find_element(By.CLASS_NAME, "machine-note")
        self.assertEqual(note.text, hostile)
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, ".machine img"), [])
        with self.assertRaises(NoAlertPresentException):
            self.driver.switch_to.alert.text

    def test_live_updates_move_nothing_on_the_page(self):
        self.enroll()
        # Each shift is kept with what moved (id or class, the rectangle before and after).
        self.driver.execute_script("""
            window.shifts = [];
            new PerformanceObserver(list => {
              for (const entry of list.getEntries()) {
                window.shifts.push([entry.value, entry.sources.map(s =>
                  [s.node && (s.node.id || s.node.className), JSON.stringify(s.previousRect), JSON.stringify(s.currentRect)])]);
              }
            }).observe({type: 'layout-shift'});""")
        ben = self.dorm.token("Ben")
        self.dorm.request("POST", "/api/machines/W1/uses", ben, {})
        self.dorm.cli("machine", "broken", "W2", "--note", "a long note about the door seal that leaks on every wash")
        self.dorm.cli("notice", "post", "Hall B is closed on Sunday", "--severity", "info")
        self.wait(lambda: self.phase("W1") == "running" and self.phase("W2") == "broken")
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, ".notice")) == 1)
        self.dorm.stop()
        self.wait(lambda: self.driver.find_element(By.ID, "stale").is_displayed())
        # Layout-shift entries are reported after the frame that shifted: wait for two more frames.
        shifts = self.driver.execute_async_script(
            "const done = arguments[0];"
            "requestAnimationFrame(() => requestAnimationFrame(() => done(window.shifts)));")
        self.assertEqual(shifts, [], "cumulative layout shift")

    def test_the_board_on_a_phone_screen(self):
        self.enroll()
        self.dorm.request("POST", "/api/machines/W2/uses", self.dorm.token("Ben"), {})
        self.dorm.cli("machine", "broken", "D1", "--note", "door seal leaking")
        self.dorm.cli("notice", "post", "Dryers are serviced on Friday morning", "--severity", "warning")
        self.wait(lambda: self.phase("W2") == "running" and self.phase("D1") == "broken")
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, ".notice")) == 1)
        for width in (320, 360):
            self.driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": 740, "deviceScaleFactor": 2, "mobile": True})
            overflow = self.driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            self.assertLessEqual(overflow, 0, f"no sideways scrolling at {width} px")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.assertTrue(self.driver.save_screenshot(str(ARTIFACTS / "board-phone.png")))


class KoreanTests(unittest.TestCase):
    """A phone set to Korean, in a dorm whose default is English: the browser's language wins."""

    # Words the page may show in Latin letters: the brand, and the language switch's English
    # option, named in its own language. Machine ids are single letters and digits.
    ALLOWED = {"Washboard", "English"}

    def setUp(self):
        self.dorm = Dorm(machines=False)
        self.addCleanup(self.dorm.close)
        for machine, kind, label, location in [("W1", "washer", "세탁기 1", "A동 지하"), ("W2", "washer", "세탁기 2", "A동 지하"),
                                               ("D1", "dryer", "건조기 1", "B동 1층")]:
            self.dorm.cli("machine", "add", machine, "--kind", kind, "--label", label, "--location", location)
        self.dorm.start("--default-language", "en")
        self.driver = chromium("ko-KR")
        self.addCleanup(self.driver.quit)

    def wait(self, condition, seconds=10, message=""):
        return WebDriverWait(self.driver, seconds, poll_frequency=0.05).until(lambda _: condition(), message)

    def latin_words(self, selector):
        """Words in Latin letters shown inside `selector`, besides machine ids and allowed names."""
        text = self.driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])].filter(e => e.checkVisibility())"
            ".map(e => e.innerText).join('\\n')", selector)
        words = set(re.findall(r"[A-Za-z]{2,}", text))
        return sorted(w for w in words if w not in self.ALLOWED)

    def test_the_board_the_alert_centre_and_a_toast_in_korean_and_the_switch_changes_them_live(self):
        self.driver.get(f"{self.dorm.origin}/join#code={self.dorm.enrollment_code('Ada')}")
        self.wait(lambda: self.driver.find_element(By.ID, "connection").get_attribute("data-state") == "live")
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, ".machine")) == 3)
        self.assertEqual(self.driver.execute_script("return document.documentElement.lang"), "ko")
        self.assertEqual(self.latin_words("header, #board, #settings"), [])

        # A toast: Ada starts W1, an admin clears it, and she is told why, in Korean.
        self.driver.find_element(By.ID, "machine-W1").find_element(By.XPATH, ".//button[text()='시작']").click()
        self.wait(lambda: self.driver.find_element(By.ID, "machine-W1").get_attribute("data-phase") == "running")
        self.dorm.cli("machine", "clear", "W1")
        toasts = lambda: self.driver.execute_script(  # noqa: E731
            "return [...document.querySelectorAll('.toast')].map(t => t.innerText)")
        self.wait(lambda: any("W1 사용이 종료됐어요" in t for t in toasts()), message="the alert's toast, in Korean")
        self.assertEqual(self.latin_words(".toast"), [])

        self.driver.find_element(By.ID, "alerts-button").click()
        centre = self.driver.find_element(By.ID, "alert-centre")
        self.wait(centre.is_displayed)
        self.wait(lambda: "W1 사용이 종료됐어요" in centre.text, message="the alert centre, in Korean")
        self.assertEqual(self.latin_words("#alert-centre"), [])
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True})
        self.assertTrue(self.driver.save_screenshot(str(ARTIFACTS / "alerts-phone-ko.png")))
        self.driver.execute_script("document.getElementById('alert-centre').close()")
        self.assertTrue(self.driver.save_screenshot(str(ARTIFACTS / "board-phone-ko.png")))

        # The switch: English at once, without a reload, and the server remembers it.
        self.driver.execute_script("window.__notReloaded = true")
        self.driver.execute_script(
            "const s = document.getElementById('language'); s.value = 'en'; s.dispatchEvent(new Event('change'))")
        self.wait(lambda: self.driver.find_element(By.ID, "machine-W1").find_element(
            By.CLASS_NAME, "machine-status").text == "Free", message="the board in English")
        self.assertEqual(self.driver.execute_script("return document.documentElement.lang"), "en")
        self.assertTrue(self.driver.execute_script("return window.__notReloaded === true"), "no reload")
        self.wait(lambda: json.loads(sqlite(self.dorm.db, "SELECT preferences FROM residents WHERE name = 'Ada'")[0][0])
                  .get("language") == "en", message="the choice is stored")


class DemoTests(unittest.TestCase):
    def test_the_demo_command_then_the_bare_address_shows_the_demo_dorm_live(self):
        dorm = Dorm(machines=False)  # --demo wants an empty database
        self.addCleanup(dorm.close)
        dorm.start("--demo")
        driver = chromium()
        self.addCleanup(driver.quit)
        driver.get(dorm.origin)
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "demo-button").is_displayed())
        driver.find_element(By.ID, "demo-button").click()
        WebDriverWait(driver, 10).until(
            lambda d: d.find_element(By.ID, "connection").get_attribute("data-state") == "live")
        phases = [c.get_attribute("data-phase") for c in driver.find_elements(By.CSS_SELECTOR, ".machine")]
        self.assertEqual(len(phases), 10)
        self.assertTrue({"free", "running", "done", "broken"} <= set(phases), phases)

        # A new resident's phone: the whole demo dorm within one and a half screens, and the
        # summary answering "is a washer free, and if not, when?" at the top.
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True})
        # The board's end on the page, plus the notices banner fixed at the bottom; the
        # notification settings follow the board and are not counted.
        height = driver.execute_script(
            "return document.getElementById('board').getBoundingClientRect().bottom + window.scrollY"
            " + document.getElementById('notices').offsetHeight")
        self.assertLessEqual(height, 1.5 * 844, "the demo dorm fits in 1.5 screens")
        lines = glance(driver)
        self.assertEqual(len(lines), 5, lines)  # washers and dryers in Hall A; washers, dryers, others in Hall B
        for line in lines:
            self.assertRegex(line, r"^Hall [AB] · .*(Washers|Dryers|Other machines) "
                                   r"(\d+ of \d+ free|next free in \d+ min|none free · \d+ awaiting pickup|none working)"
                                   r"( Notify me)?$")
        summary_top = driver.execute_script("return document.getElementById('summary').getBoundingClientRect().top")
        self.assertLess(summary_top, 844 / 4, "the summary is at the top")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.assertTrue(driver.save_screenshot(str(ARTIFACTS / "demo-board-390x844.png")))


if __name__ == "__main__":
    unittest.main()
