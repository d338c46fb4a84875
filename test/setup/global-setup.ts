/** Placeholder; replaced by the database test harness (PGlite template + PostgreSQL reachability). */
export default async function setup(): Promise<void> {}
