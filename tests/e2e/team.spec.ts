import { type Browser, expect, type Page, test } from "@playwright/test";
import { inviteLink, userCli } from "../support/accounts";
import { startServer, type TestServer } from "../support/server";
import { unique } from "./helpers";

/**
 * A team from its first invite: the operator adds an admin from the shell, the admin invites a
 * member on the Team page, the member sets a password, signs in on another device, makes an
 * image that the history and the job page call theirs, then signs out everywhere, after which
 * the old cookies open nothing. A server of its own: accounts turn team mode on for everyone.
 */

let server: TestServer | undefined;
test.beforeAll(async () => {
  server = await startServer({ env: { DEMO_DELAY_MS: "300" } });
});
test.afterAll(async () => {
  await server?.stop();
});

const ANA = { email: "ana@studio.example", password: "plum orchard lantern 7" };
const BO = { email: "bo@studio.example", password: "copper kettle morning" };

/** Opens an invite link in a browser of its own and sets the password: lands signed in on the studio. */
async function acceptInvite(browser: Browser, link: string, person: { email: string; password: string }): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await expect(page.getByRole("heading", { name: `Set a password for ${person.email}` })).toBeVisible();
  await page.getByLabel("New password").fill(person.password);
  await page.getByLabel("The same password again").fill(person.password);
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(page).toHaveURL(`${server!.url}/`);
  return page;
}

const nav = (page: Page) => page.getByRole("navigation", { name: "Main" });
const jobsStatus = async (cookie: string) => (await fetch(`${server!.url}/api/jobs`, { headers: { cookie } })).status;
async function sessionCookie(page: Page): Promise<string> {
  const cookie = (await page.context().cookies(server!.url)).find((c) => c.name === "atelier_session");
  expect(cookie).toBeDefined();
  return `${cookie!.name}=${cookie!.value}`;
}

test("invite → set password → sign in → submit → 'by me' → sign out everywhere → the old cookie is refused", async ({ browser }) => {
  const base = server!.url;
  const added = await userCli(server!, ["add", ANA.email, "--admin"]);
  expect(added.code, added.stderr).toBe(0);
  const ana = await acceptInvite(browser, inviteLink(added.stdout), ANA);

  // The admin invites a member; the link is shown once.
  await nav(ana).getByRole("link", { name: "Team" }).click();
  await expect(ana).toHaveURL(`${base}/team`);
  await ana.getByLabel("Email", { exact: true }).fill(BO.email);
  await ana.getByRole("button", { name: "Add person" }).click();
  const boLink = (await ana.getByTestId("invite-url").textContent())!.trim();
  expect(boLink).toMatch(new RegExp(`^${base}/invite/[A-Za-z0-9_-]{43}$`));
  await expect(ana.getByTestId("team-row").filter({ hasText: BO.email })).toContainText("Invited");

  const boFirst = await acceptInvite(browser, boLink, BO);
  // The link is used up: opening it again offers no form.
  await boFirst.goto(boLink);
  await expect(boFirst.getByText("This invite link was used or has expired.")).toBeVisible();
  await expect(boFirst.getByLabel("New password")).toHaveCount(0);

  // Bo signs in on a second device with email and password.
  const bo = await (await browser.newContext()).newPage();
  await bo.goto(`${base}/`);
  await expect(bo).toHaveURL(/\/login\?next=%2F$/);
  await bo.getByLabel("Email").fill(BO.email);
  await bo.getByLabel("Password").fill(BO.password);
  await bo.getByRole("button", { name: "Sign in" }).click();
  await expect(bo).toHaveURL(`${base}/`);

  // Bo makes an image: the job page says it is Bo's own.
  const prompt = unique("A linen lampshade, morning light");
  await expect(bo.getByRole("form", { name: "New image" })).toHaveAttribute("data-ready", "true");
  await bo.getByLabel("Instruction").fill(prompt);
  await bo.getByLabel("Instruction").press("Control+Enter");
  const card = bo.getByTestId("job-card").filter({ hasText: prompt });
  await expect(card).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await card.getByRole("link", { name: "Open job page" }).click();
  await expect(bo).toHaveURL(/\/jobs\/[0-9A-Z]{26}$/);
  const jobUrl = bo.url();
  await expect(bo.getByTestId("made-by").first()).toHaveText("by me");

  // Bo's history: "Mine" holds it; the admin sees it as Bo's, and not under her own "Mine".
  await bo.goto(`${base}/`);
  await bo.getByLabel("Person filter").selectOption("me");
  await expect(bo.getByTestId("gallery-tile").filter({ has: bo.getByRole("img", { name: prompt }) })).toBeVisible();
  await ana.goto(jobUrl);
  await expect(ana.getByTestId("made-by").first()).toHaveText(`by ${BO.email}`);
  await ana.goto(`${base}/`);
  const anaTile = ana.getByTestId("gallery-tile").filter({ has: ana.getByRole("img", { name: prompt }) });
  await expect(anaTile).toBeVisible();
  await ana.getByLabel("Person filter").selectOption("me");
  await expect(anaTile).toHaveCount(0);

  // Sign out everywhere: both of Bo's browsers are out, and their old cookies open nothing.
  const cookies = [await sessionCookie(boFirst), await sessionCookie(bo)];
  for (const cookie of cookies) expect(await jobsStatus(cookie)).toBe(200);
  await nav(bo).getByRole("link", { name: "Account" }).click();
  await expect(bo.getByText(`Signed in as ${BO.email}`)).toBeVisible();
  await bo.getByRole("button", { name: "Sign out everywhere" }).click();
  await bo.getByRole("dialog").getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(bo).toHaveURL(/\/login(\?|$)/);
  for (const cookie of cookies) expect(await jobsStatus(cookie)).toBe(401);
  // Only Bo's sessions ended: the admin is still in.
  expect(await jobsStatus(await sessionCookie(ana))).toBe(200);

  // On a phone the admin's header, with Team and Account, still fits the width.
  await ana.setViewportSize({ width: 390, height: 844 });
  await ana.goto(`${base}/team`);
  expect(await ana.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
