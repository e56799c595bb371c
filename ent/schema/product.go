package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Product holds the schema of a product's current state in one warehouse.
// Quantity changes only together with a Movement. Deleting sets DeletedAt:
// the row and its movements stay, and the sku can be created again, since
// sku is unique only among live products of a warehouse.
type Product struct {
	ent.Schema
}

// Fields of the Product.
func (Product) Fields() []ent.Field {
	return []ent.Field{
		field.String("warehouse_id").Immutable(),
		field.String("sku").NotEmpty().Immutable(),
		field.String("name"),
		field.String("description").Default(""),
		field.Int64("price").NonNegative().Default(0).
			Comment("ten-thousandths of a currency unit (stock.Price)"),
		field.Int64("quantity").NonNegative().Default(0),
		field.Int64("reorder_point").NonNegative().Default(0),
		field.String("unit").Default("").Comment(`base unit ("" is "unit")`),
		field.String("packs").Default("").Comment("named packs as JSON, [{name, size}]; \"\" none"),
		field.Int64("max_stock").NonNegative().Default(0).
			Comment("the maximum a replenishment plan brings the stock to; 0: none"),
		field.Int64("seq").Comment("change sequence of the product's last change in its warehouse"),
		field.Time("created_at").Immutable(),
		field.Time("updated_at"),
		field.Time("deleted_at").Optional().Nillable(),
	}
}

// Edges of the Product.
func (Product) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("warehouse", Warehouse.Type).Ref("products").Field("warehouse_id").
			Unique().Required().Immutable(),
		edge.To("movements", Movement.Type),
	}
}

// Indexes of the Product.
func (Product) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("warehouse_id", "sku").Unique().
			Annotations(entsql.IndexWhere("deleted_at IS NULL")),
		// Every column a replenishment plan reads of the live products, by
		// sku: server/store/replenish.go's planGroups reads them from it alone.
		index.Fields("sku", "warehouse_id", "quantity", "reorder_point", "max_stock").StorageKey("products_plan").
			Annotations(entsql.IndexWhere("deleted_at IS NULL")),
	}
}
