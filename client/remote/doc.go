// Package remote talks to a stockmesh node over its GraphQL API: queries and
// mutations as JSON over HTTPS (Client), and the stockChanged subscription over
// a graphql-transport-ws websocket (Subscribe, and Watch, which reconnects
// and reloads by itself). It verifies the node's certificate against a CA and
// has no way to skip that check. It never imports the node's Go packages.
package remote
