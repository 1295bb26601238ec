package release

import "golang.org/x/sys/unix"

// stampFile stamps a file for its manifest entry; false when it cannot be stat'ed.
func stampFile(p string, fe FileEntry) (fileStamp, bool) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return fileStamp{}, false
	}
	return fileStamp{
		SHA256: fe.SHA256, Bytes: st.Size, Dev: uint64(st.Dev), Ino: uint64(st.Ino),
		MtimeNs: st.Mtim.Nano(), CtimeNs: st.Ctim.Nano(),
	}, true
}
