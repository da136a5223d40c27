"use client";

import dynamic from "next/dynamic";

/** Loaded after the page: the first load of every page stays within its budget. */
export const NotifyToggle = dynamic(() => import("./notify-toggle").then((m) => m.NotifyToggle), { ssr: false });
