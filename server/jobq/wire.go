package jobq

import (
	"encoding/binary"
	"syscall"
	"time"

	zmq "github.com/pebbe/zmq4"
)

// The wire format. A client's DEALER sends one frame: a header, the job id (8 bytes, big endian), the
// caller's absolute deadline (Unix nanoseconds, 8 bytes, big endian) and the Class, and then the
// payload. The worker's ROUTER sees [identity, frame] and answers [identity, frame] with the class byte
// replaced by a status. A frame whose class byte is classCancel cancels the client's read job of that id
// (its caller left). One frame per message, not a header frame and a payload frame, halves the zmq calls
// that receiving a message takes.
const headerLen = 17

// maxKeptBuf is the largest send buffer a socket's owner keeps for the next message: one page of an
// export (2,000 movements, about half a MiB) fits, so that an export's pages reuse it.
const maxKeptBuf = 1 << 20

// Reply statuses carried in the last header byte.
const (
	statusOK          byte = 0
	statusUnavailable byte = 1 // refused without running: saturated or stopping
	statusExpired     byte = 2 // skipped without running: its deadline had passed
)

// envelope is one outgoing message: an optional ROUTER routing frame, a header and a payload; a
// client's request also points to the call waiting for its reply.
type envelope struct {
	route   []byte
	head    [headerLen]byte
	payload []byte
	call    *call
}

// putHeader writes id, the deadline and the trailing class or status byte b into h.
func putHeader(h *[headerLen]byte, id uint64, deadline time.Time, b byte) {
	binary.BigEndian.PutUint64(h[:8], id)
	binary.BigEndian.PutUint64(h[8:16], uint64(deadline.UnixNano()))
	h[16] = b
}

// parseHeader reads the header at the start of frame; ok reports whether frame holds a whole one.
func parseHeader(frame []byte) (id uint64, b byte, ok bool) {
	if len(frame) < headerLen {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(frame[:8]), frame[16], true
}

// headerDeadline returns the deadline in a header parseHeader accepted.
func headerDeadline(h []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(h[8:16])))
}

// send sends e on s without blocking: its routing frame, if any, then its header and payload as one
// frame, assembled in *buf (zmq copies it), which the socket's owner keeps for its next message. A
// DEALER with ZMQ_IMMEDIATE reports EAGAIN when no peer is connected; a ROUTER drops messages for
// unknown or saturated peers silently.
func (e *envelope) send(s *zmq.Socket, buf *[]byte) error {
	if e.route != nil {
		if _, err := s.SendBytes(e.route, zmq.SNDMORE|zmq.DONTWAIT); err != nil {
			return err
		}
	}
	frame := append(append((*buf)[:0], e.head[:]...), e.payload...)
	_, err := s.SendBytes(frame, zmq.DONTWAIT)
	if cap(frame) <= maxKeptBuf {
		*buf = frame
	}
	return err
}

// isAgain reports whether err is EAGAIN: nothing to receive, or no room (or peer) to send to.
func isAgain(err error) bool {
	return zmq.AsErrno(err) == zmq.Errno(syscall.EAGAIN)
}

// recvMessage receives one whole message without blocking, reusing buf's backing array for the frame
// list (the frames themselves are fresh). It returns EAGAIN when no message is waiting.
func recvMessage(s *zmq.Socket, buf [][]byte) ([][]byte, error) {
	buf = buf[:0]
	for {
		f, err := s.RecvBytes(zmq.DONTWAIT)
		if err != nil {
			return buf[:0], err
		}
		buf = append(buf, f)
		more, err := s.GetRcvmore()
		if err != nil {
			return buf[:0], err
		}
		if !more {
			return buf, nil
		}
	}
}
