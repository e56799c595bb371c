package console

import "github.com/stockmesh/stockmesh/internal/api"

// The messages of replenishment and transfer requests (issue 30),
// numbered apart from the other catalogs so that each list grows on its
// own.
const (
	msgColMaxStock msg = iota + 7000
	msgColFromCover
	msgColToCover
	msgNoSuggestions
	msgRequested
	msgNothingToRequest
	msgNoRequests
	msgRequestOpen
	msgRequestAccepted
	msgRequestDeclined
	msgRequestCancelled
	msgRequestAcceptedSent
	msgRequestDeclinedSaid
	msgColWhy
	msgWhyBelowReorder
	msgWhyExpiring
	msgMenuLots
	msgMenuReplenish
	msgMenuRequests
	msgAskRequestPlan
	msgNoRequestsToDecide
	msgFieldRequest
	msgDecideAccept
	msgDecideDecline
	msgDecideLater
	msgFieldDecision
	msgFieldReason
)

// reasonWords names a suggestion's reason in the user's language (the
// reason itself when this console does not know it).
func reasonWords(p Printer, reason string) string {
	switch reason {
	case api.ReasonBelowReorderPoint:
		return p.T(msgWhyBelowReorder)
	case api.ReasonExpiringElsewhere:
		return p.T(msgWhyExpiring)
	}
	return reason
}

// replenishCatalog returns the replenishment messages in English and Spanish.
func replenishCatalog() map[msg][2]string {
	return map[msg][2]string{
		msgColMaxStock:      {"MAX", "MÁXIMO"},
		msgColFromCover:     {"FROM DAYS", "DÍAS ORIGEN"},
		msgColToCover:       {"TO DAYS", "DÍAS DESTINO"},
		msgNoSuggestions:    {"Nothing to replenish: no product is at or below its reorder point where stock can come from.", "Nada que reponer: ningún producto está en su punto de pedido o por debajo con existencias de donde traerlas."},
		msgRequested:        {"Requested %s: %s × %s from %s.", "Solicitada %s: %s × %s a %s."},
		msgNothingToRequest: {"The plan suggests nothing for %s to request.", "El plan no sugiere nada que %s deba solicitar."},
		msgNoRequests:       {"No transfer requests.", "No hay solicitudes de traspaso."},
		msgRequestOpen:      {"open", "abierta"},
		msgRequestAccepted:  {"accepted", "aceptada"},
		msgRequestDeclined:  {"declined", "rechazada"},
		msgRequestCancelled: {"cancelled", "cancelada"},
		msgRequestAcceptedSent: {"Request %s accepted: transfer %s is on its way to %s.",
			"Solicitud %s aceptada: el traspaso %s va de camino a %s."},
		msgRequestDeclinedSaid: {"Request %s declined.", "Solicitud %s rechazada."},
		msgColWhy:              {"WHY", "MOTIVO"},
		msgWhyBelowReorder:     {"below reorder point", "bajo punto de pedido"},
		msgWhyExpiring:         {"would expire at source", "caducaría en origen"},
		msgMenuLots:            {"Lots of a product", "Lotes de un producto"},
		msgMenuReplenish:       {"Replenishment plan", "Plan de reposición"},
		msgMenuRequests:        {"Transfer requests to decide", "Solicitudes de traspaso por decidir"},
		msgAskRequestPlan:      {"Request these transfers to %s from their sources?", "¿Solicitar estos traspasos a %s a sus orígenes?"},
		msgNoRequestsToDecide:  {"No open request for %s to decide.", "No hay solicitudes abiertas que %s deba decidir."},
		msgFieldRequest:        {"Request", "Solicitud"},
		msgDecideAccept:        {"accept and send", "aceptar y enviar"},
		msgDecideDecline:       {"decline", "rechazar"},
		msgDecideLater:         {"decide later", "decidir más tarde"},
		msgFieldDecision:       {"Decision", "Decisión"},
		msgFieldReason:         {"Reason (optional)", "Motivo (opcional)"},
	}
}
