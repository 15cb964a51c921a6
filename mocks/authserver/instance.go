package authserver

// AuthServer returns s: a provider that embeds its Server answers
// registry.Instance's AuthServer with it.
func (s *Server) AuthServer() *Server { return s }
