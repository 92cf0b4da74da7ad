package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The loader's record of every file it read, so that --changed-since can tell what a changed
// file feeds: a file is recorded under each path by which a change to it shows in git, the
// path walked or written in the YAML, every symbolic link met on the way, and the file the
// links lead to.

// fileUse is what one path the load read feeds.
type fileUse struct {
	// documents is set for a file whose content was parsed as YAML documents (a YAML file the
	// walk met, or the file a linked one leads to): a change is compared document by document.
	documents bool
	// settings is set for the settings file and what leads to it: it bears on every object.
	settings bool
	// feeds are the keys (ObjectKey) of the objects the path's content or target is part of:
	// a template's schema, a bundle file's connector, a linked YAML file's objects.
	feeds []string
}

// resolution is how a path the loader read resolved: the symbolic links met on the way and
// the file they lead to, relative to the root, slash-separated.
type resolution struct {
	links  []string
	target string
}

// maxLinkHops bounds the links followed in resolving one path, as the system does (40 on
// Linux); a loop of links ends there.
const maxLinkHops = 255

// resolve follows p (a path below the resolved root) component by component, as
// filepath.EvalSymlinks does, noting every symbolic link that lies inside the root. The
// target is "" when the path leaves the root or does not resolve; the loader refuses such a
// path anyway.
func resolve(root, p string) resolution {
	var res resolution
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return res
	}
	rest := strings.Split(rel, string(filepath.Separator))
	cur, hops := root, 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := os.Lstat(next)
		if err != nil {
			return res
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if r, ok := below(root, next); ok {
			res.links = append(res.links, r)
		}
		if hops++; hops > maxLinkHops {
			return res
		}
		to, err := os.Readlink(next)
		if err != nil {
			return res
		}
		if filepath.IsAbs(to) {
			cur = filepath.VolumeName(to) + string(filepath.Separator)
			to = strings.TrimPrefix(to[len(filepath.VolumeName(to)):], string(filepath.Separator))
		}
		rest = append(strings.Split(to, string(filepath.Separator)), rest...)
	}
	if r, ok := below(root, cur); ok {
		res.target = r
	}
	return res
}

// below returns p relative to root, slash-separated, when p lies below root.
func below(root, p string) (string, bool) {
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// recordReads fills repo.reads from what the load read: the YAML files and the objects each
// declares, the settings file, and every file an object references.
func (l *loader) recordReads(repo *Repo, files []yamlFile) {
	reads := map[string]*fileUse{}
	use := func(rel string) *fileUse {
		u := reads[rel]
		if u == nil {
			u = &fileUse{}
			reads[rel] = u
		}
		return u
	}
	feed := func(rel, key string) {
		u := use(rel)
		u.feeds = append(u.feeds, key)
	}
	for _, f := range l.settings {
		use(f.rel).settings = true
		if res, ok := l.linked[f.rel]; ok {
			for _, p := range res.links {
				use(p).settings = true
			}
			use(res.target).settings = true
		}
	}
	declares := map[string][]string{}
	file := func(f File, key string) {
		for _, p := range f.links {
			feed(p, key)
		}
		feed(f.Root, key)
	}
	for k, list := range repo.objects {
		files := loaders[k].files
		for _, d := range list {
			o := d.Common()
			key := ObjectKey(k, o.Owner, o.Name)
			declares[o.Doc.File] = append(declares[o.Doc.File], key)
			if files == nil {
				continue
			}
			for _, f := range files(d) {
				file(f, key)
			}
		}
	}
	for _, f := range files {
		use(f.rel).documents = true
		res, ok := l.linked[f.rel]
		if !ok {
			continue
		}
		// A linked YAML file: its links feed its objects (pointing one elsewhere changes them
		// all); the file they lead to holds the documents.
		for _, p := range res.links {
			for _, k := range declares[f.rel] {
				feed(p, k)
			}
		}
		if res.target != "" {
			use(res.target).documents = true
		}
	}
	repo.reads = reads
}
