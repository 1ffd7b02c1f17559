/**
 * Where a fault goes (issue 12): the node serving writes (`primary`, the default), a node holding a
 * copy of the data without serving it (`replica`), or a SUT node holding neither (`bystander`).
 * Each SUT says which of its nodes plays which role (`Sut.nodeRoles`); the scenario picks from that,
 * so no scenario code knows a SUT by name.
 */
import { PLACEMENTS, PLACEMENT_CHOICES, type Placement } from '../config/placement-choices.js';

export {
  PLACEMENTS,
  PLACEMENT_CHOICES,
  type Placement,
  type PlacementChoice,
} from '../config/placement-choices.js';

/** A node in a role, with the word that says why it has it (shown in the result: `fault_node_role`). */
export interface RoleNode {
  readonly name: string;
  /** e.g. 'synchronous standby', 'Gluster brick of pxkube-3'. */
  readonly role: string;
}

export interface NodeRoles {
  /** The node serving writes. */
  readonly primary: string;
  /** Nodes holding a copy of the data but not serving it, the one a `replica` fault takes first. */
  readonly replicas: readonly RoleNode[];
  /** SUT nodes holding neither the primary nor a copy. */
  readonly bystanders: readonly RoleNode[];
  /**
   * Why the SUT cannot tell a role's nodes (Portworx: the volume's replica nodes are not readable
   * yet); a placement on that role is refused with this reason rather than guessed.
   */
  readonly unknown?: Readonly<Partial<Record<Exclude<Placement, 'primary'>, string>>>;
}

/** The node a fault placed there goes to, or why the placement is refused (before any injection). */
export type FaultNodeChoice = { readonly node: string; readonly role: string } | { readonly refused: string };

export function chooseFaultNode(roles: NodeRoles, placement: Placement, sut: string): FaultNodeChoice {
  if (placement === 'primary') return { node: roles.primary, role: 'primary' };
  const unknown = roles.unknown?.[placement];
  if (unknown) return { refused: `placement ${placement} refused on the ${sut} SUT: ${unknown}` };
  const [first] = placement === 'replica' ? roles.replicas : roles.bystanders;
  if (!first)
    return {
      refused:
        placement === 'replica'
          ? `placement replica refused on the ${sut} SUT: no node holds a copy of the data besides the primary ${roles.primary}`
          : `placement bystander refused on the ${sut} SUT: every node holds the primary or a copy of the data (${[roles.primary, ...roles.replicas.map((r) => r.name)].join(', ')})`,
    };
  return { node: first.name, role: first.role };
}

/** `all` → every placement in turn; anything else → itself. Throws on an unknown value, naming the allowed ones. */
export function expandPlacement(choice: string): Placement[] {
  if (choice === 'all') return [...PLACEMENTS];
  if ((PLACEMENTS as readonly string[]).includes(choice)) return [choice as Placement];
  throw new Error(`unknown placement ${choice}; expected: ${PLACEMENT_CHOICES.join(', ')}`);
}

/**
 * The scenario's name with its placement, where names must tell placements apart (result files,
 * compare): `primary` keeps the bare name scripts already know.
 */
export function placedName(scenario: string, placement: Placement | undefined): string {
  return placement === undefined || placement === 'primary' ? scenario : `${scenario}@${placement}`;
}
