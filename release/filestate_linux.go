package release

import (
	"io/fs"
	"syscall"
)

// StateOf returns the state of the file fi describes (from os.Stat or File.Stat); false
// when the platform's stat does not give it.
func StateOf(fi fs.FileInfo) (FileState, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return FileState{}, false
	}
	return FileState{
		Bytes: st.Size, Dev: uint64(st.Dev), Ino: st.Ino,
		MtimeNs: st.Mtim.Nano(), CtimeNs: st.Ctim.Nano(),
	}, true
}
