type Providers<T> = { therouter: T; quickrouter: T; dmxapi: T; modelverse: T };

/** The server env that points each of the four real providers at its fake, with its key. */
export function fakeProvidersEnv(keys: Providers<string>, urls: Providers<string>): Record<string, string> {
  return {
    THEROUTER_API_KEY: keys.therouter,
    THEROUTER_BASE_URL: urls.therouter,
    QUICKROUTER_API_KEY: keys.quickrouter,
    QUICKROUTER_BASE_URL: urls.quickrouter,
    DMXAPI_API_KEY: keys.dmxapi,
    DMXAPI_BASE_URL: urls.dmxapi,
    MODELVERSE_API_KEY: keys.modelverse,
    MODELVERSE_BASE_URL: urls.modelverse,
  };
}
