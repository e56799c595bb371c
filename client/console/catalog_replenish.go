package console

// The messages of replenishment and transfer requests (issue 30),
// numbered apart from the other catalogs so that each list grows on its
// own.
const (
	msgColMaxStock msg = iota + 7000
)

// replenishCatalog returns the replenishment messages in English and Spanish.
func replenishCatalog() map[msg][2]string {
	return map[msg][2]string{
		msgColMaxStock: {"MAX", "MÁXIMO"},
	}
}
