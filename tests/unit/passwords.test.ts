import { describe, expect, it } from "vitest";
import { hashPassword, isCommon, newPasswordSchema, verifyPassword } from "@/lib/passwords";

const PASSPHRASE = "violet tugboat marmalade oven";

describe("password hashes", () => {
  it("verify the password they were made from, and no other", async () => {
    const stored = await hashPassword(PASSPHRASE);
    expect(stored).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(PASSPHRASE);
    expect(await verifyPassword(PASSPHRASE, stored)).toBe(true);
    expect(await verifyPassword("violet tugboat marmalade ovem", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salt each hash, so one password never gives the same hash twice", async () => {
    const [a, b] = await Promise.all([hashPassword(PASSPHRASE), hashPassword(PASSPHRASE)]);
    expect(a).not.toBe(b);
    expect(a.split("$")[4]).not.toBe(b.split("$")[4]);
    expect(await verifyPassword(PASSPHRASE, b)).toBe(true);
  });

  it("never match a malformed stored value", async () => {
    for (const stored of ["", "plain", PASSPHRASE, "bcrypt$1$2$3$abc$def"]) expect(await verifyPassword(PASSPHRASE, stored)).toBe(false);
  });
});

describe("the new-password rule", () => {
  it.each(["Password2024!", "123456789012", "aaaaaaaaaaaa", "abababababab", "qwerty123456", "abcdefghijkl", "iloveyou12345", "ATELIER2026!!"])(
    "counts %s as common",
    (password) => {
      expect(isCommon(password)).toBe(true);
      expect(newPasswordSchema.safeParse(password).success).toBe(false);
    },
  );

  it("accepts a real passphrase and a long random string", () => {
    for (const password of [PASSPHRASE, "k9#Tq2!vLm@8Zp"]) {
      expect(isCommon(password)).toBe(false);
      expect(newPasswordSchema.safeParse(password).success).toBe(true);
    }
  });

  it("refuses short, overlong and control-character passwords", () => {
    expect(newPasswordSchema.safeParse("k9#Tq2!vLm@").success).toBe(false); // 11 characters
    expect(newPasswordSchema.safeParse("x7".repeat(101) + "q").success).toBe(false);
    expect(newPasswordSchema.safeParse("violet tugboat\nmarmalade").success).toBe(false);
    expect(newPasswordSchema.safeParse(123456789012345).success).toBe(false);
  });
});
