import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { headers } from "next/headers";
import { AppHeader } from "@/components/ui/app-header";
import { MeProvider } from "@/components/ui/me";
import { actorOrNull } from "@/lib/actor";
import { FinishToasts } from "@/components/ui/finish-toasts";
import { JobEvents } from "@/components/ui/job-events";
import { THEME_SCRIPT } from "@/lib/client/theme";
import { QueryProvider } from "./query-provider";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Atelier", template: "%s · Atelier" },
  description: "Generate and edit images with FLUX.1 Kontext, keep every result, compare before and after.",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
    { media: "(prefers-color-scheme: light)", color: "#f7f7f8" },
  ],
  colorScheme: "dark light",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const actor = actorOrNull(await headers());
  const me = actor?.accountId ? { accountId: actor.accountId, admin: actor.role === "admin" } : null;
  return (
    // The theme class is set by the inline script before paint, so the server can't know it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-dvh bg-zinc-950 font-sans text-zinc-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-50 focus:rounded-md focus:bg-zinc-800 focus:px-3 focus:py-2 focus:text-sm"
        >
          Skip to content
        </a>
        <QueryProvider>
          <MeProvider me={me}>
            <AppHeader />
            <main id="main" className="mx-auto w-full max-w-[1600px] px-4 pb-16 sm:px-6">
              {children}
            </main>
            <FinishToasts />
            <JobEvents />
          </MeProvider>
        </QueryProvider>
      </body>
    </html>
  );
}
