/** One HubSpot record as a picker shows it: its name, and what tells two of a name apart. */
export interface PickerOption { id: string; label: string; detail?: string }
export type PickerKind = 'companies' | 'lists' | 'users';
/** The names of the records the settings hold by id (null: none chosen, not found, or HubSpot did not answer). */
export interface ChosenNames { defaultCompany: PickerOption | null; accessList: PickerOption | null; admins: PickerOption[] }
export type PickerSearch = (kind: PickerKind, q: string) => Promise<{ ok: true; results: PickerOption[] } | { ok: false; message: string }>;
