import type { NextConfig } from "next";

const dev = process.env.NODE_ENV !== "production";

// Next's own inline bootstrap scripts need 'unsafe-inline' without a nonce; everything else
// is locked to this origin, and no other site may frame the studio.
const CSP = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${dev ? " ws:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Lets two builds (e.g. the test suite and a dev server) coexist in one checkout.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  experimental: {
    serverActions: { bodySizeLimit: "1mb" },
    // The proxy would otherwise cut bodies at 10 MB; uploads may be 20 MB and the route itself
    // answers 413 past that, so the cap here only needs to sit above it.
    proxyClientMaxBodySize: "25mb",
  },
  // `npm test` typechecks the whole repo (tests included) as its own step; not twice.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: CSP },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
