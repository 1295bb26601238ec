// Package ops holds what keeps a serving process up under abuse and through deploys, below
// the HTTP layer: a listener that caps open connections and survives descriptor exhaustion,
// a check of whether a client has gone away, and a thread of the lowest priority for heavy
// work. It imports nothing of bitbeacon, so the
// API and the commands can both use it.
package ops
