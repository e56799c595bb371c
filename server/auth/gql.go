package auth

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MarshalGQL writes r as the GraphQL enum Role: VIEWER, OPERATOR or ADMIN.
func (r Role) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(strings.ToUpper(string(r))))
}

// UnmarshalGQL reads the GraphQL enum Role; only the roles a token may have
// are accepted.
func (r *Role) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || s != strings.ToUpper(s) {
		return fmt.Errorf("%w: %v (want VIEWER, OPERATOR or ADMIN)", ErrInvalidRole, v)
	}
	role, err := ParseRole(strings.ToLower(s))
	if err != nil {
		return err
	}
	*r = role
	return nil
}
