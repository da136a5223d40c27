import { createContext } from "react";

/** The painted region's mask to tint over every pane, or null when it is hidden or there is none. */
export const RegionMaskContext = createContext<string | null>(null);
