/** Where a fault can go (lib/sut/placement.ts says how each SUT finds those nodes). */
export const PLACEMENTS = ['primary', 'replica', 'bystander'] as const;
export type Placement = (typeof PLACEMENTS)[number];
/** What `--placement` and the config's `placement` accept: one placement, or `all` of them in turn. */
export const PLACEMENT_CHOICES = [...PLACEMENTS, 'all'] as const;
export type PlacementChoice = (typeof PLACEMENT_CHOICES)[number];
