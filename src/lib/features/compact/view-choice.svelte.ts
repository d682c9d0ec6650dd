/** How the clusters are shown: a card each, or a row each in the compact list. */
export type ClusterView = 'cards' | 'compact';

/** Above this many clusters the compact list is the default: a thousand cards is a long scroll. */
export const COMPACT_ABOVE = 100;
/** Where the visitor's choice is kept (localStorage, per browser). */
export const VIEW_STORAGE_KEY = 'shardbeat:cluster-view';

/** The view a visitor who never chose gets for a fleet of `clusters`. */
export function defaultView(clusters: number): ClusterView {
	return clusters > COMPACT_ABOVE ? 'compact' : 'cards';
}

function storage(): Storage | null {
	try {
		return typeof localStorage === 'undefined' ? null : localStorage;
	} catch {
		return null; // storage disabled (privacy settings): the choice lasts for the page's life only
	}
}

/** The stored choice; anything but a known view (an old version's value, a hand edit) counts as none. */
function readChoice(): ClusterView | null {
	const value = storage()?.getItem(VIEW_STORAGE_KEY);
	return value === 'cards' || value === 'compact' ? value : null;
}

/**
 * Cards or compact list: what the visitor chose last in this browser, else the default for the
 * fleet's size (which follows the fleet until they choose).
 */
export class ViewChoice {
	/** The visitor's own choice; null: never chose. */
	chosen = $state<ClusterView | null>(readChoice());
	/** The view to show. */
	readonly view: ClusterView;

	/** `clusters`: how many clusters the fleet has (read reactively). */
	constructor(clusters: () => number) {
		this.view = $derived(this.chosen ?? defaultView(clusters()));
	}

	/** Shows `view` and remembers it for this browser. */
	choose = (view: ClusterView): void => {
		this.chosen = view;
		try {
			storage()?.setItem(VIEW_STORAGE_KEY, view);
		} catch {
			// quota or privacy mode: the choice still holds until the page is closed
		}
	};
}
