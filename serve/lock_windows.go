package serve

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// errorSharingViolation is Windows' ERROR_SHARING_VIOLATION: the file is
// open elsewhere with a share mode that excludes this open.
const errorSharingViolation syscall.Errno = 32

// lockStateDir opens dir's serve.lock shared with no one: a second open
// fails while this handle lives, and Windows closes it when the process
// ends.
func lockStateDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "serve.lock")
	name, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, fmt.Errorf("serve: locking the state directory: %w", err)
	}
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil, syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err == errorSharingViolation {
		return nil, fmt.Errorf("serve: another mailoauth serve uses the state directory %s (%v)", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("serve: locking the state directory: %w", err)
	}
	return os.NewFile(uintptr(h), path), nil
}
