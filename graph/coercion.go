package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stockmesh/stockmesh/graph/scalar"
	"github.com/stockmesh/stockmesh/server/stock"
)

// scalarInputs are the scalars gqlparser checks too leniently or not at all
// (it takes "5" for an Int variable, 3000000000 for an Int literal, and any
// value for a custom scalar); each is checked by the function that decodes
// it.
var scalarInputs = map[string]func(any) error{
	"Int":     func(v any) error { _, err := scalar.UnmarshalInt(v); return err },
	"Time":    func(v any) error { _, err := scalar.UnmarshalTime(v); return err },
	"Decimal": func(v any) error { _, err := scalar.UnmarshalDecimal(v); return err },
}

// coercion completes the input coercion of an operation's variables and
// literal arguments with our scalars, before anything executes: a value
// they refuse fails the whole request, as the GraphQL specification
// requires, instead of one field during execution. The error is a
// validation failure (no data; 400 with application/graphql-response+json)
// wrapping the scalar's INVALID_INPUT.
type coercion struct{ schema *ast.Schema }

var (
	_ graphql.HandlerExtension        = coercion{}
	_ graphql.OperationContextMutator = coercion{}
)

func (coercion) ExtensionName() string                   { return "StockmeshCoercion" }
func (coercion) Validate(graphql.ExecutableSchema) error { return nil }
func (x coercion) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	err := x.variables(oc)
	if err == nil {
		err = x.arguments(oc.Operation.SelectionSet, oc.Variables, map[string]bool{})
	}
	if err == nil {
		return nil
	}
	g := gqlerror.Wrap(err)
	errcode.Set(g, errcode.ValidationFailed)
	return g
}

// variables checks the operation's variables.
func (x coercion) variables(oc *graphql.OperationContext) error {
	for _, d := range oc.Operation.VariableDefinitions {
		if v, ok := oc.Variables[d.Variable]; ok {
			if err := x.check("variable $"+d.Variable, d.Type, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// arguments checks the arguments of every field in set, following
// fragments once each.
func (x coercion) arguments(set ast.SelectionSet, vars map[string]any, seen map[string]bool) error {
	for _, sel := range set {
		var err error
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				if v, verr := a.Value.Value(vars); verr == nil && a.Value.ExpectedType != nil {
					if err = x.check("argument "+a.Name, a.Value.ExpectedType, v); err != nil {
						return err
					}
				}
			}
			err = x.arguments(s.SelectionSet, vars, seen)
		case *ast.InlineFragment:
			err = x.arguments(s.SelectionSet, vars, seen)
		case *ast.FragmentSpread:
			if !seen[s.Name] && s.Definition != nil {
				seen[s.Name] = true
				err = x.arguments(s.Definition.SelectionSet, vars, seen)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// check reports the first value within v, of type t at path, that its
// scalar refuses, as INVALID_INPUT naming the path.
func (x coercion) check(path string, t *ast.Type, v any) error {
	if v == nil {
		return nil
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok { // a single value stands for a list of one
			return x.check(path, t.Elem, v)
		}
		for i, e := range list {
			if err := x.check(fmt.Sprintf("%s[%d]", path, i), t.Elem, e); err != nil {
				return err
			}
		}
		return nil
	}
	if f := scalarInputs[t.NamedType]; f != nil {
		if err := f(v); err != nil {
			e := stock.Errorf(stock.CodeInvalidInput, "%s: %s", path, stock.Message(err))
			e.Violation = stock.ViolationOf(err) // the rule, for clients to word
			return e
		}
		return nil
	}
	def, fields := x.schema.Types[t.NamedType], asMap(v)
	if def == nil || def.Kind != ast.InputObject || fields == nil {
		return nil
	}
	for _, fd := range def.Fields {
		if err := x.check(path+"."+fd.Name, fd.Type, fields[fd.Name]); err != nil {
			return err
		}
	}
	return nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
