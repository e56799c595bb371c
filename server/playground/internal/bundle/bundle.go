// Package bundle lists the npm files the playground embeds: copyassets copies
// them out of node_modules and the playground serves them.
package bundle

// File is one file taken from an npm package.
type File struct {
	// Package is the npm package the file comes from.
	Package string
	// Source is the file's path inside the package.
	Source string
	// Name is the file's name in the assets directory and in its URL.
	Name string
	// Required reports whether the page cannot work without the file.
	Required bool
}

// Files returns the files the playground embeds, scripts in load order.
func Files() []File {
	return []File{
		{Package: "react", Source: "umd/react.production.min.js", Name: "react.production.min.js", Required: true},
		{Package: "react-dom", Source: "umd/react-dom.production.min.js", Name: "react-dom.production.min.js", Required: true},
		{Package: "graphiql", Source: "graphiql.min.js", Name: "graphiql.min.js", Required: true},
		{Package: "graphiql", Source: "graphiql.min.css", Name: "graphiql.min.css", Required: true},
		{Package: "react", Source: "LICENSE", Name: "react.LICENSE.txt"},
		{Package: "react-dom", Source: "LICENSE", Name: "react-dom.LICENSE.txt"},
		{Package: "graphiql", Source: "LICENSE", Name: "graphiql.LICENSE.txt"},
	}
}
