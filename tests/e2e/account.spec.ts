import { type Browser, expect, type Page, test } from "@playwright/test";
import { startServer, type TestServer } from "../support/server";

/**
 * The account page: signed-in devices and API tokens. They exist only behind a password, so
 * this file starts a server of its own with ATELIER_PASSWORD set; the shared server (open
 * mode) shows that the page and its header link are absent without one.
 */

const PASSWORD = "account-spec-password";
let server: TestServer | undefined;

test.beforeAll(async () => {
  server = await startServer({ env: { ATELIER_PASSWORD: PASSWORD }, readyPath: "/login" });
});
test.afterAll(async () => {
  await server?.stop();
});

/** Signs in through the login form; lands on the studio. */
async function signIn(page: Page, base: string) {
  await page.goto(`${base}/`);
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${base}/`);
}

/** A second browser, signed in on its own: another row in the device list. */
async function otherBrowser(browser: Browser, base: string) {
  const context = await browser.newContext();
  await signIn(await context.newPage(), base);
  return context;
}

/** GET /api/jobs with only the given credentials, as a script would send them. */
const jobsStatus = async (base: string, headers: Record<string, string>) => (await fetch(`${base}/api/jobs`, { headers })).status;

test("sessions and API tokens: create a token once, delete it, sign out elsewhere and everywhere", async ({ page, context, browser }) => {
  const base = server!.url;
  await signIn(page, base);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await expect(page).toHaveURL(`${base}/account`);
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();

  const devices = page.getByRole("list", { name: "Signed-in devices" });
  await expect(devices.getByTestId("session-row")).toHaveCount(1);
  await expect(devices.getByTestId("session-row")).toContainText(/Chrome on Linux\s*This device/);

  // Create: the token is shown this once, with a copy button that puts it on the clipboard.
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByLabel("Name").fill("Nightly backup");
  await page.getByRole("button", { name: "Create" }).click();
  const shown = page.getByTestId("new-token");
  await expect(shown).toContainText("won't be shown again");
  const token = (await shown.getByTestId("new-token-value").textContent())!.trim();
  expect(token).toMatch(/^atk_[A-Za-z0-9_-]{43}$/);
  await shown.getByRole("button", { name: "Copy token" }).click();
  await expect(shown.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  expect(await jobsStatus(base, { authorization: `Bearer ${token}` })).toBe(200);

  // Listed by name; after a reload the secret is nowhere on the page.
  await page.reload();
  const tokens = page.getByRole("list", { name: "API tokens" });
  await expect(tokens.getByTestId("token-row")).toHaveCount(1);
  await expect(tokens.getByTestId("token-row")).toContainText("Nightly backup");
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  expect(await page.content()).not.toContain(token);

  // Delete: gone from the list, and the script using it is refused.
  await tokens.getByRole("button", { name: "Delete Nightly backup" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete token" }).click();
  await expect(page.getByText("No API tokens yet.")).toBeVisible();
  expect(await jobsStatus(base, { authorization: `Bearer ${token}` })).toBe(401);

  // On a phone the header, with its extra link, still fits the width.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 720 });

  // Another browser appears in the list; signing it out ends only that one.
  const other = await otherBrowser(browser, base);
  await page.reload();
  await expect(devices.getByTestId("session-row")).toHaveCount(2);
  const otherRow = devices.getByTestId("session-row").filter({ hasNotText: "This device" });
  await otherRow.getByRole("button", { name: /^Sign out / }).click();
  await expect(devices.getByTestId("session-row")).toHaveCount(1);
  expect((await other.request.get(`${base}/api/jobs`)).status()).toBe(401);
  await other.close();

  // Sign out everywhere: back to the login page, and the old cookie opens nothing.
  const cookie = (await context.cookies(base)).find((c) => c.name === "atelier_session");
  expect(cookie).toBeDefined();
  expect(await jobsStatus(base, { cookie: `${cookie!.name}=${cookie!.value}` })).toBe(200);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login(\?|$)/);
  expect(await jobsStatus(base, { cookie: `${cookie!.name}=${cookie!.value}` })).toBe(401);
  await page.goto(`${base}/account`);
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
});

test("without a password there is no account page and no link to it", async ({ page }) => {
  // The shared server runs in open mode (no ATELIER_PASSWORD).
  const response = await page.goto("/account");
  expect(response?.status()).toBe(404);
  await page.goto("/ledger");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Ledger" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Account" })).toHaveCount(0);
});
