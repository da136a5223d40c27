import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { AppHeader } from "@/components/app-header";
import { QueryProvider } from "./query-provider";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Atelier", template: "%s · Atelier" },
  description: "Generate and edit images with FLUX.1 Kontext, keep every result, compare before and after.",
};

export const viewport: Viewport = {
  themeColor: "#09090b",
  colorScheme: "dark",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className="dark">
      <body className="min-h-dvh bg-zinc-950 font-sans text-zinc-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-50 focus:rounded-md focus:bg-zinc-800 focus:px-3 focus:py-2 focus:text-sm"
        >
          Skip to content
        </a>
        <QueryProvider>
          <AppHeader />
          <main id="main" className="mx-auto w-full max-w-[1600px] px-4 pb-16 sm:px-6">
            {children}
          </main>
        </QueryProvider>
      </body>
    </html>
  );
}
