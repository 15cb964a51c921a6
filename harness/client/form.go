package client

import (
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// form is an HTML form of a page: where it posts and its fields.
type form struct {
	ID      string
	Action  string
	Method  string
	Fields  url.Values
	Buttons map[string][]string // submit buttons: name -> values
}

// page is what the browser understood of an HTML page.
type page struct {
	Title string
	Text  string
	Forms []form
	// AutoSubmit: the body submits the page's first form when it loads
	// (onload="...forms[0].submit()"), as an OAuth form_post response does.
	AutoSubmit bool
}

func (p page) form(id string) (form, bool) {
	for _, f := range p.Forms {
		if f.ID == id {
			return f, true
		}
	}
	return form{}, false
}

// parsePage reads the title, visible text and forms of an HTML document.
func parsePage(r io.Reader) (page, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return page{}, err
	}
	var p page
	var text strings.Builder
	var cur *form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			if t := strings.TrimSpace(n.Data); t != "" && (n.Parent == nil || (n.Parent.Data != "style" && n.Parent.Data != "script")) {
				text.WriteString(t)
				text.WriteByte('\n')
			}
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "body":
				onload := attr(n, "onload")
				p.AutoSubmit = strings.Contains(onload, "forms[0].submit()")
			case "title":
				if n.FirstChild != nil {
					p.Title = strings.TrimSpace(n.FirstChild.Data)
				}
			case "form":
				p.Forms = append(p.Forms, form{ID: attr(n, "id"), Action: attr(n, "action"),
					Method: strings.ToUpper(attr(n, "method")), Fields: url.Values{}, Buttons: map[string][]string{}})
				cur = &p.Forms[len(p.Forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				cur = nil
				return
			case "input":
				switch {
				case cur == nil || attr(n, "name") == "":
				case strings.EqualFold(attr(n, "type"), "submit"):
					// A named submit input is a button: sent only when pressed.
					cur.Buttons[attr(n, "name")] = append(cur.Buttons[attr(n, "name")], attr(n, "value"))
				default:
					cur.Fields.Add(attr(n, "name"), attr(n, "value"))
				}
			case "button":
				if cur != nil && attr(n, "name") != "" {
					cur.Buttons[attr(n, "name")] = append(cur.Buttons[attr(n, "name")], attr(n, "value"))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	p.Text = text.String()
	return p, nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
