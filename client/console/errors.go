package console

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// Exit codes of the stockmesh command.
const (
	ExitOK          = 0
	ExitRefused     = 1
	ExitUsage       = 2
	ExitUnreachable = 3
	ExitInterrupted = 130
)

// ErrUsage reports a command line or input that does not make sense.
var ErrUsage = errors.New("console: usage")

// usageError is a usage problem with a sentence for the person.
type usageError struct {
	text string
	id   msg // when set, the sentence is id's in the person's language
	args []any
}

// Error returns the sentence, in English when it has an id.
func (e *usageError) Error() string {
	if e.id != 0 {
		return NewPrinter(English).T(e.id, e.args...)
	}
	return e.text
}

// sentence returns the sentence in p's language.
func (e *usageError) sentence(p Printer) string {
	if e.id != 0 {
		return p.T(e.id, e.args...)
	}
	return e.text
}

// Is makes a usageError match ErrUsage.
func (e *usageError) Is(target error) bool { return target == ErrUsage }

// usagef returns a usage error with a formatted sentence.
func usagef(format string, args ...any) error {
	return &usageError{text: fmt.Sprintf(format, args...)}
}

// usageT returns a usage error worded by message id in the person's
// language when it is shown.
func usageT(id msg, args ...any) error {
	return &usageError{id: id, args: args}
}

// errCancelled reports that the person declined a confirmation.
var errCancelled = errors.New("console: cancelled")

// Sentence returns what a person reads about err, in p's language: one of
// the node's error codes as a sentence (product not found, already exists,
// not enough stock — with the numbers when the node sent them —, not
// allowed, node unreachable), else the error itself.
// server names the node in the "unreachable" sentence.
func Sentence(p Printer, server string, err error) string {
	var ue *usageError
	var hint *skuHint
	var repeated *errRepeated
	var refused *refusal
	switch {
	case errors.As(err, &ue):
		return ue.sentence(p)
	case errors.As(err, &hint):
		return p.T(msgDidYouMean, hint.sku, hint.suggestion)
	case errors.As(err, &repeated):
		return repeatedSentence(p, repeated)
	case errors.As(err, &refused):
		return refused.text
	case errors.Is(err, remote.ErrUntrusted):
		return p.T(msgErrUntrusted)
	case errors.Is(err, errCancelled):
		return p.T(msgCancelled)
	}
	if s, ok := elsewhere(p, err); ok {
		return s
	}
	switch remote.Code(err) {
	case api.CodeNotFound:
		return p.T(msgErrNotFound)
	case api.CodeAlreadyExists:
		return p.T(msgErrAlreadyExists)
	case api.CodeInsufficientStock:
		var re *remote.Error
		if errors.As(err, &re) && re.Shortfall != nil {
			if s := re.Shortfall; s.Reserved > 0 {
				return p.T(msgErrShortfallReserved, s.SKU, s.InStock, s.Reserved, s.Available, s.Requested)
			}
			return p.T(msgErrShortfall, re.Shortfall.SKU, re.Shortfall.InStock, re.Shortfall.Requested)
		}
		return p.T(msgErrInsufficientStock)
	case api.CodeExpired:
		var re *remote.Error
		errors.As(err, &re)
		return p.T(msgErrExpired, re.Lot, re.ExpiresOn)
	case api.CodeInvalidInput:
		if re, ok := errors.AsType[*remote.Error](err); ok && re.Violation != nil {
			if s, ok := violationSentence(p, fieldWord(p, re.Violation.Field), re.Violation); ok {
				return p.T(msgErrInvalidInput, s)
			}
		}
		if p.Lang() != English { // the node's explanation is in English
			return p.T(msgErrInvalidInputNoDetail)
		}
		return p.T(msgErrInvalidInput, nodeMessage(err))
	case api.CodeUnauthenticated:
		return p.T(msgErrUnauthenticated)
	case api.CodeForbidden:
		return forbidden(p, err)
	case api.CodeUnavailable:
		return p.T(msgErrUnavailable, server)
	case api.CodeOutcomeUnknown:
		return p.T(msgErrOutcomeUnknown)
	case api.CodeInternal:
		return p.T(msgErrInternal)
	}
	return p.T(msgErrOther, err)
}

// elsewhere returns the sentence for an error about a warehouse other than
// the node's own, and false for any other error.
func elsewhere(p Printer, err error) (string, bool) {
	var e *remote.Error
	if !errors.As(err, &e) || e.Warehouse == "" {
		return "", false
	}
	switch {
	case e.Code == api.CodeNotFound:
		return p.T(msgErrNoWarehouse, e.Warehouse), true
	case e.Code == api.CodeForbidden && e.Node != "":
		return p.T(msgErrNotOwner, e.Warehouse, e.Node), true
	case e.Code == api.CodeForbidden:
		return p.T(msgErrNotOwnerUnknown, e.Warehouse), true
	}
	return "", false
}

// forbidden says why a FORBIDDEN refusal (not about another warehouse)
// was made: in English, the node's own message, which names the role
// needed; in another language, from the token's name and role the node
// sends, without the node's English.
func forbidden(p Printer, err error) string {
	if p.Lang() == English {
		return p.T(msgErrForbidden, nodeMessage(err))
	}
	var e *remote.Error
	if errors.As(err, &e) && e.TokenRole != "" && e.NeededRole != "" {
		return p.T(msgErrForbiddenNeeds, roleName(p, e.NeededRole), e.TokenName, roleName(p, e.TokenRole))
	}
	if errors.As(err, &e) && e.TokenRole != "" && e.TokenRole != "admin" {
		return p.T(msgErrForbiddenRole, e.TokenName, roleName(p, e.TokenRole))
	}
	return p.T(msgErrForbiddenNoDetail)
}

// roleName names a token role in p's language.
func roleName(p Printer, role string) string {
	if m, ok := map[string]msg{"viewer": msgRoleViewer, "operator": msgRoleOperator, "admin": msgRoleAdmin}[role]; ok {
		return p.T(m)
	}
	return role
}

// nodeMessage returns the node's own message carried by err.
func nodeMessage(err error) string {
	var e *remote.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// ExitCode returns the exit status for err: 0 for nil, 3 when the node is
// unreachable or untrusted, 2 for usage errors, 130 for an interruption, and
// 1 for a refused request.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrUsage):
		return ExitUsage
	case errors.Is(err, remote.ErrUntrusted), remote.Code(err) == api.CodeUnavailable:
		return ExitUnreachable
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	}
	return ExitRefused
}

// errorCode names err for --json output: the node's code, or USAGE,
// UNTRUSTED, CANCELLED, ALREADY_RECORDED (a movement with a reference
// not applied again) or ERROR.
func errorCode(err error) string {
	switch {
	case errors.Is(err, ErrUsage):
		return "USAGE"
	case errors.Is(err, remote.ErrUntrusted):
		return "UNTRUSTED"
	case errors.Is(err, errCancelled), errors.Is(err, context.Canceled):
		return "CANCELLED"
	case errors.As(err, new(*errRepeated)):
		return "ALREADY_RECORDED"
	}
	if c := remote.Code(err); c != "" {
		return c
	}
	return "ERROR"
}

// fileProblem returns the usage error of a file that could not be opened
// or created, in the person's language when the reason is a common one.
func fileProblem(file string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageT(msgUsageNoFile, file)
	case errors.Is(err, fs.ErrPermission):
		return usageT(msgUsageFileDenied, file)
	}
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		err = pe.Err
	}
	return usageT(msgUsageFile, file, err)
}
