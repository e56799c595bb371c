package stock

import "slices"

// checkWhere checks a movement's lots, location and pack as a writer
// records them: pieces of positive quantities, valid codes and dates, that
// add up to the movement's units, and a pack of a size that divides them.
func (m *Movement) checkWhere() error {
	if m.Kind == KindRelocation && (m.Lots == nil || m.Location == "") {
		return invalid("lots", "a relocation names the lots it moved and where to")
	}
	if m.plain() {
		return nil
	}
	units := max(m.Quantity, -m.Quantity)
	var sum int64
	for _, l := range m.Lots {
		if err := checkQuantity("lots.quantity", l.Quantity, 1, MaxStock); err != nil {
			return err
		}
		if err := exactText("lots.code", l.Code, MaxLotCodeLen, false); err != nil {
			return err
		}
		if err := exactText("lots.location", l.Location, MaxLocationCodeLen, false); err != nil {
			return err
		}
		if l.ExpiresOn != "" {
			if _, err := ParseDate(string(l.ExpiresOn)); err != nil {
				return invalid("lots.expiresOn", "%q is not a calendar day", l.ExpiresOn)
			}
		}
		if l.Code == "" && l.ExpiresOn != "" {
			return invalid("lots.expiresOn", "the stock of no lot has no expiry")
		}
		sum += l.Quantity
	}
	if m.Lots != nil && sum != units {
		return invalid("lots", "add up to %d units, not the movement's %d", sum, units)
	}
	if l := m.NamedLot; l != nil {
		if err := exactText("namedLot.code", l.Code, MaxLotCodeLen, true); err != nil {
			return err
		}
		if _, err := ParseDate(string(l.ExpiresOn)); l.ExpiresOn != "" && err != nil {
			return invalid("namedLot.expiresOn", "%q is not a calendar day", l.ExpiresOn)
		}
	}
	if err := exactText("location", m.Location, MaxLocationCodeLen, false); err != nil {
		return err
	}
	if err := exactText("pack", m.Pack, MaxPackNameLen, false); err != nil {
		return err
	}
	if m.Pack != "" && (m.PackSize <= 0 || units%m.PackSize != 0) {
		return invalid("packSize", "%d does not divide the movement's %d units", m.PackSize, units)
	}
	return nil
}

// checkUnits checks a product's base unit and packs as a writer stores
// them: the default unit as "", packs by NormalizePacks's rules.
func checkUnits(p *Product) error {
	if err := exactText("unit", p.Unit, MaxUnitLen, false); err != nil {
		return err
	}
	if p.Unit == DefaultUnit {
		return invalid("unit", "the default unit is logged as none")
	}
	packs := slices.Clone(p.Packs)
	if err := NormalizePacks(packs); err != nil {
		return err
	}
	if !slices.Equal(packs, p.Packs) {
		return invalid("packs", "are not as a writer stores them")
	}
	return nil
}
