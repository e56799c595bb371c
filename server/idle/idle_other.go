//go:build !linux

package idle

import "errors"

// lower reports that this OS has no idle policy.
func lower() error { return errors.ErrUnsupported }

// lowered is false where lower cannot lower.
func lowered() (bool, error) { return false, nil }

// mainThread is false: where nothing is lowered, any thread will do.
func mainThread() bool { return false }
