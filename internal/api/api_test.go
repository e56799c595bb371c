package api

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestNamesAreTheSchemas: the kinds are schema.graphql's MovementKind
// values and the codes those its header lists, in the same order, so the
// names spelled here are the API's.
func TestNamesAreTheSchemas(t *testing.T) {
	b, err := os.ReadFile("../../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	schema := string(b)
	if kinds, want := enumValues(t, schema, "MovementKind"), []string{KindPurchase, KindSale, KindReturn, KindAdjustment,
		KindTransferOut, KindTransferIn, KindRelocation}; !slices.Equal(kinds, want) {
		t.Errorf("schema's MovementKind is %v, internal/api's kinds %v", kinds, want)
	}
	if reasons, want := enumValues(t, schema, "SuggestionReason"), []string{ReasonBelowReorderPoint, ReasonExpiringElsewhere}; !slices.Equal(reasons, want) {
		t.Errorf("schema's SuggestionReason is %v, internal/api's reasons %v", reasons, want)
	}
	header := regexp.MustCompile(`(?s)# Errors carry extensions\.code: (.*?), with a message`).FindStringSubmatch(schema)
	if header == nil {
		t.Fatal("schema.graphql's header lists no error codes")
	}
	codes := regexp.MustCompile(`[A-Z_]{4,}`).FindAllString(header[1], -1)
	if want := []string{CodeNotFound, CodeAlreadyExists, CodeInsufficientStock, CodeInvalidInput, CodeUnauthenticated,
		CodeForbidden, CodeUnavailable, CodeOutcomeUnknown, CodeExpired, CodeInternal}; !slices.Equal(codes, want) {
		t.Errorf("schema's header lists the codes %v, internal/api %v", codes, want)
	}
}

// enumValues returns the values of schema's enum name, in order.
func enumValues(t *testing.T, schema, name string) []string {
	t.Helper()
	enum := regexp.MustCompile(`(?s)enum ` + name + ` \{(.*?)\}`).FindStringSubmatch(schema)
	if enum == nil {
		t.Fatalf("schema.graphql has no enum %s", name)
	}
	var values []string
	for _, l := range strings.Split(enum[1], "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, `"`) {
			values = append(values, l)
		}
	}
	return values
}
