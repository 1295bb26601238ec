package release

import "time"

// FileState is what a file looks like from outside: its device, inode, size, modification and
// status-change times. Any write to the file, a truncation, a chmod, a new hard link or a
// replacement by rename changes its status-change time (which no unprivileged process can
// set back) or its inode, so a record that a file was checked in one state says nothing once
// the state differs. What it cannot show is damage below the filesystem (a bad disk block).
// The verification records (.verified.json here, the index files' in the engine) are keyed
// on it.
type FileState struct {
	Bytes   int64  `json:"bytes"`
	Dev     uint64 `json:"dev"`
	Ino     uint64 `json:"ino"`
	MtimeNs int64  `json:"mtimeNs"`
	CtimeNs int64  `json:"ctimeNs"`
}

// SettleTime is how much older than a check a file's times must be for the check to be
// recorded against its state: filesystems keep times in coarse ticks (a few ms, 1-2 s on
// some), and a write in the same tick as the check would leave the state unchanged. A file
// just written is therefore recorded when it is next checked.
const SettleTime = 3 * time.Second

// SettledBefore reports whether both of the file's times are before t (a check's start minus
// SettleTime).
func (s FileState) SettledBefore(t time.Time) bool {
	limit := t.UnixNano()
	return s.MtimeNs < limit && s.CtimeNs < limit
}
