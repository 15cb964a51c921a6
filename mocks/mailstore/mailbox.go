package mailstore

import (
	"io"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// folder is a mailbox (INBOX, Sent...) of one user, shared by all the
// user's connections.
type folder struct {
	tracker     *imapserver.MailboxTracker
	uidValidity uint32
	owner       *User // its quota is the owner's

	mutex      sync.Mutex
	name       string
	subscribed bool
	specialUse []imap.MailboxAttr
	l          []*message
	uidNext    imap.UID
	flagUse    map[imap.Flag]int // how many messages have each flag, for FLAGS
	change     chan struct{}     // closed at the next change, for IDLE; nil: nobody waits
}

// newFolder creates a new mailbox of owner.
func newFolder(owner *User, name string, uidValidity uint32) *folder {
	return &folder{
		tracker:     imapserver.NewMailboxTracker(0),
		uidValidity: uidValidity,
		owner:       owner,
		name:        name,
		uidNext:     1,
	}
}

func (mbox *folder) list(options *imap.ListOptions) *imap.ListData {
	mbox.mutex.Lock()
	defer mbox.mutex.Unlock()

	if options.SelectSubscribed && !mbox.subscribed {
		return nil
	}
	if options.SelectSpecialUse && len(mbox.specialUse) == 0 {
		return nil
	}

	data := imap.ListData{
		Mailbox: mbox.name,
		Delim:   mailboxDelim,
	}
	if mbox.subscribed {
		data.Attrs = append(data.Attrs, imap.MailboxAttrSubscribed)
	}
	if (options.ReturnSpecialUse || options.SelectSpecialUse) && len(mbox.specialUse) > 0 {
		data.Attrs = append(data.Attrs, mbox.specialUse...)
	}
	if options.ReturnStatus != nil {
		data.Status = mbox.statusDataLocked(options.ReturnStatus)
	}
	return &data
}

// StatusData returns data for the STATUS command.
func (mbox *folder) StatusData(options *imap.StatusOptions) *imap.StatusData {
	mbox.mutex.Lock()
	defer mbox.mutex.Unlock()
	return mbox.statusDataLocked(options)
}

func (mbox *folder) statusDataLocked(options *imap.StatusOptions) *imap.StatusData {
	data := imap.StatusData{Mailbox: mbox.name}
	if options.NumMessages {
		num := uint32(len(mbox.l))
		data.NumMessages = &num
	}
	if options.UIDNext {
		data.UIDNext = mbox.uidNext
	}
	if options.UIDValidity {
		data.UIDValidity = mbox.uidValidity
	}
	if options.NumUnseen {
		num := uint32(len(mbox.l)) - mbox.countByFlagLocked(imap.FlagSeen)
		data.NumUnseen = &num
	}
	if options.NumDeleted {
		num := mbox.countByFlagLocked(imap.FlagDeleted)
		data.NumDeleted = &num
	}
	if options.Size {
		size := mbox.sizeLocked()
		data.Size = &size
	}
	if options.NumRecent {
		num := uint32(0)
		data.NumRecent = &num
	}
	return &data
}

func (mbox *folder) countByFlagLocked(flag imap.Flag) uint32 {
	var n uint32
	for _, msg := range mbox.l {
		if _, ok := msg.flags[canonicalFlag(flag)]; ok {
			n++
		}
	}
	return n
}

func (mbox *folder) sizeLocked() int64 {
	var size int64
	for _, msg := range mbox.l {
		size += int64(len(msg.body))
	}
	return size
}

// appendLiteral appends the message of r (APPEND), its size reserved in
// the store's budget before it is read.
func (mbox *folder) appendLiteral(r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	l, size := mbox.owner.ledger, r.Size()
	if err := l.reserve(size); err != nil {
		return nil, err
	}
	var buf strings.Builder
	buf.Grow(int(size))
	if _, err := io.Copy(&buf, io.LimitReader(r, size)); err != nil {
		l.unreserve(size)
		return nil, err
	}
	body := buf.String()
	if err := l.admit(body, size, mbox.owner); err != nil {
		return nil, err
	}
	return mbox.appendCharged(body, options), nil
}

// copyMsg appends msg to mbox, sharing its body; the owner was charged
// for it.
func (mbox *folder) copyMsg(msg *message) *imap.AppendData {
	return mbox.appendCharged(msg.body, &imap.AppendOptions{
		Time:  msg.t,
		Flags: msg.flagList(),
	})
}

// appendCharged appends body to mbox, whose owner was charged for it.
func (mbox *folder) appendCharged(body string, options *imap.AppendOptions) *imap.AppendData {
	msg := &message{body: body, t: options.Time}
	if msg.t.IsZero() {
		msg.t = mbox.owner.now()
	}
	for _, flag := range options.Flags {
		msg.setFlag(flag)
	}

	mbox.mutex.Lock()
	defer mbox.mutex.Unlock()

	msg.uid = mbox.uidNext
	mbox.uidNext++

	mbox.l = append(mbox.l, msg)
	mbox.countFlagsLocked(msg, 1)
	mbox.tracker.QueueNumMessages(uint32(len(mbox.l)))
	mbox.changedLocked()

	return &imap.AppendData{
		UIDValidity: mbox.uidValidity,
		UID:         msg.uid,
	}
}

func (mbox *folder) rename(newName string) {
	mbox.mutex.Lock()
	mbox.name = newName
	mbox.mutex.Unlock()
}

// SetSubscribed changes the subscription state of this mailbox.
func (mbox *folder) SetSubscribed(subscribed bool) {
	mbox.mutex.Lock()
	mbox.subscribed = subscribed
	mbox.mutex.Unlock()
}

func (mbox *folder) selectDataLocked() *imap.SelectData {
	flags := mbox.flagsLocked()

	permanentFlags := make([]imap.Flag, len(flags))
	copy(permanentFlags, flags)
	permanentFlags = append(permanentFlags, imap.FlagWildcard)

	firstUnseenSeqNum := mbox.firstUnseenSeqNumLocked()

	return &imap.SelectData{
		Flags:             flags,
		PermanentFlags:    permanentFlags,
		NumMessages:       uint32(len(mbox.l)),
		FirstUnseenSeqNum: firstUnseenSeqNum,
		UIDNext:           mbox.uidNext,
		UIDValidity:       mbox.uidValidity,
	}
}

func (mbox *folder) firstUnseenSeqNumLocked() uint32 {
	for i, msg := range mbox.l {
		seqNum := uint32(i) + 1
		if _, ok := msg.flags[canonicalFlag(imap.FlagSeen)]; !ok {
			return seqNum
		}
	}
	return 0
}

// flagsLocked is the flags some message of the mailbox has (FLAGS).
func (mbox *folder) flagsLocked() []imap.Flag {
	var l []imap.Flag
	for flag := range mbox.flagUse {
		l = append(l, flag)
	}

	sort.Slice(l, func(i, j int) bool {
		return l[i] < l[j]
	})

	return l
}

// storeLocked changes msg's flags and tells the other sessions (all but
// source's).
func (mbox *folder) storeLocked(seqNum uint32, msg *message, flags *imap.StoreFlags, source *imapserver.SessionTracker) {
	mbox.countFlagsLocked(msg, -1)
	msg.store(flags)
	mbox.countFlagsLocked(msg, 1)
	mbox.tracker.QueueMessageFlags(seqNum, msg.uid, msg.flagList(), source)
	mbox.changedLocked()
}

// changedLocked wakes the sessions in IDLE.
func (mbox *folder) changedLocked() {
	if mbox.change != nil {
		close(mbox.change)
		mbox.change = nil
	}
}

// countFlagsLocked counts msg's flags in (by 1) or out (by -1) of the
// mailbox's flagUse.
func (mbox *folder) countFlagsLocked(msg *message, by int) {
	for flag := range msg.flags {
		n := mbox.flagUse[flag] + by
		switch {
		case n <= 0:
			delete(mbox.flagUse, flag)
		case mbox.flagUse == nil:
			mbox.flagUse = map[imap.Flag]int{flag: n}
		default:
			mbox.flagUse[flag] = n
		}
	}
}

// Expunge implements imapserver.Session.
func (mbox *folder) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	expunged := make(map[*message]struct{})
	mbox.mutex.Lock()
	for _, msg := range mbox.l {
		if uids != nil && !uids.Contains(msg.uid) {
			continue
		}
		if _, ok := msg.flags[canonicalFlag(imap.FlagDeleted)]; ok {
			expunged[msg] = struct{}{}
		}
	}
	mbox.mutex.Unlock()

	if len(expunged) == 0 {
		return nil
	}

	mbox.mutex.Lock()
	mbox.expungeLocked(expunged, true)
	mbox.mutex.Unlock()

	return nil
}

// expungeLocked removes the messages of expunged; release gives their
// bytes back to the owner's quota (not for MOVE, whose copies keep them).
func (mbox *folder) expungeLocked(expunged map[*message]struct{}, release bool) (seqNums []uint32) {
	// Iterate in reverse order, to keep sequence numbers consistent
	var filtered []*message
	for i := len(mbox.l) - 1; i >= 0; i-- {
		msg := mbox.l[i]
		if _, ok := expunged[msg]; ok {
			seqNum := uint32(i) + 1
			seqNums = append(seqNums, seqNum)
			mbox.tracker.QueueExpunge(seqNum)
			mbox.countFlagsLocked(msg, -1)
			mbox.changedLocked()
			if release {
				mbox.owner.ledger.release(mbox.owner, msg.body)
			}
		} else {
			filtered = append(filtered, msg)
		}
	}

	// Reverse filtered
	for i := 0; i < len(filtered)/2; i++ {
		j := len(filtered) - i - 1
		filtered[i], filtered[j] = filtered[j], filtered[i]
	}

	mbox.l = filtered

	return seqNums
}

// newView creates a new view into this mailbox.
//
// Callers must call folderView.Close once they are done with the mailbox view.
func (mbox *folder) newView() *folderView {
	return &folderView{
		folder:  mbox,
		tracker: mbox.tracker.NewSession(),
	}
}

// A folderView is a view into a mailbox.
//
// Each view has its own queue of pending unilateral updates.
//
// Once the mailbox view is no longer used, Close must be called.
//
// Typically, a new folderView is created for each IMAP connection in the
// selected state.
type folderView struct {
	*folder
	tracker   *imapserver.SessionTracker
	searchRes imap.UIDSet
}

// Close releases the resources allocated for the mailbox view.
func (mbox *folderView) Close() {
	mbox.tracker.Close()
}

// Fetch implements imapserver.Session.
func (mbox *folderView) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	markSeen := false
	for _, bs := range options.BodySection {
		if !bs.Peek {
			markSeen = true
			break
		}
	}

	var err error
	mbox.forEach(numSet, func(seqNum uint32, msg *message) {
		if err != nil {
			return
		}

		if markSeen {
			mbox.folder.storeLocked(seqNum, msg, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil)
		}

		respWriter := w.CreateMessage(mbox.tracker.EncodeSeqNum(seqNum))
		err = msg.fetch(respWriter, options)
	})
	return err
}

// Search implements imapserver.Session.
func (mbox *folderView) Search(numKind imapserver.NumKind, criteria *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	mbox.mutex.Lock()
	defer mbox.mutex.Unlock()

	mbox.staticSearchCriteria(criteria)

	var (
		data   imap.SearchData
		seqSet imap.SeqSet
		uidSet imap.UIDSet
	)
	for i, msg := range mbox.l {
		seqNum := mbox.tracker.EncodeSeqNum(uint32(i) + 1)

		if !msg.search(seqNum, criteria) {
			continue
		}

		// Always populate the UID set, since it may be saved later for SEARCHRES
		uidSet.AddNum(msg.uid)

		var num uint32
		switch numKind {
		case imapserver.NumKindSeq:
			if seqNum == 0 {
				continue
			}
			seqSet.AddNum(seqNum)
			num = seqNum
		case imapserver.NumKindUID:
			num = uint32(msg.uid)
		}
		if data.Min == 0 || num < data.Min {
			data.Min = num
		}
		if data.Max == 0 || num > data.Max {
			data.Max = num
		}
		data.Count++
	}

	switch numKind {
	case imapserver.NumKindSeq:
		data.All = seqSet
	case imapserver.NumKindUID:
		data.All = uidSet
	}

	if options.ReturnSave {
		mbox.searchRes = uidSet
	}

	return &data, nil
}

func (mbox *folderView) staticSearchCriteria(criteria *imap.SearchCriteria) {
	seqNums := make([]imap.SeqSet, 0, len(criteria.SeqNum))
	for _, seqSet := range criteria.SeqNum {
		numSet := mbox.staticNumSet(seqSet)
		switch numSet := numSet.(type) {
		case imap.SeqSet:
			seqNums = append(seqNums, numSet)
		case imap.UIDSet: // can happen with SEARCHRES
			criteria.UID = append(criteria.UID, numSet)
		}
	}
	criteria.SeqNum = seqNums

	for i, uidSet := range criteria.UID {
		criteria.UID[i] = mbox.staticNumSet(uidSet).(imap.UIDSet)
	}

	for i := range criteria.Not {
		mbox.staticSearchCriteria(&criteria.Not[i])
	}
	for i := range criteria.Or {
		for j := range criteria.Or[i] {
			mbox.staticSearchCriteria(&criteria.Or[i][j])
		}
	}
}

// Store implements imapserver.Session.
func (mbox *folderView) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	mbox.forEach(numSet, func(seqNum uint32, msg *message) {
		mbox.folder.storeLocked(seqNum, msg, flags, mbox.tracker)
	})
	if !flags.Silent {
		return mbox.Fetch(w, numSet, &imap.FetchOptions{Flags: true})
	}
	return nil
}

// Poll implements imapserver.Session.
func (mbox *folderView) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	return mbox.tracker.Poll(w, allowExpunge)
}

// Idle implements imapserver.Session. go-imap's SessionTracker.Idle
// misses a change made between the continuation request and its start
// (until the next one); here each round takes the signal of the next
// change before it tells what changed so far.
func (mbox *folderView) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	for {
		mbox.mutex.Lock()
		if mbox.change == nil {
			mbox.change = make(chan struct{})
		}
		changed := mbox.change
		mbox.mutex.Unlock()
		if err := mbox.tracker.Poll(w, true); err != nil {
			return err
		}
		select {
		case <-changed:
		case <-stop:
			return nil
		}
	}
}

func (mbox *folderView) forEach(numSet imap.NumSet, f func(seqNum uint32, msg *message)) {
	mbox.mutex.Lock()
	defer mbox.mutex.Unlock()
	mbox.forEachLocked(numSet, f)
}

// forEachLocked calls f for each message numSet names, in order. It
// starts at the first one named and stops past the last: UIDs grow with
// the position in the mailbox, and so do the client's sequence numbers
// (EncodeSeqNum is strictly increasing where it is not zero), so that
// FETCH 1 in a large mailbox does not look at every message.
func (mbox *folderView) forEachLocked(numSet imap.NumSet, f func(seqNum uint32, msg *message)) {
	numSet = mbox.staticNumSet(numSet)
	first, last := numBounds(numSet)
	start := 0
	switch numSet.(type) {
	case imap.SeqSet:
		if j := mbox.tracker.DecodeSeqNum(first); j != 0 && int(j) <= len(mbox.l) && mbox.tracker.EncodeSeqNum(j) == first {
			start = int(j) - 1
		}
	case imap.UIDSet:
		start = sort.Search(len(mbox.l), func(i int) bool { return uint32(mbox.l[i].uid) >= first })
	}

	for i := start; i < len(mbox.l); i++ {
		msg := mbox.l[i]
		seqNum := uint32(i) + 1

		var contains bool
		switch numSet := numSet.(type) {
		case imap.SeqSet:
			seqNum := mbox.tracker.EncodeSeqNum(seqNum)
			if seqNum > last {
				return
			}
			contains = seqNum != 0 && numSet.Contains(seqNum)
		case imap.UIDSet:
			if uint32(msg.uid) > last {
				return
			}
			contains = numSet.Contains(msg.uid)
		}
		if !contains {
			continue
		}

		f(seqNum, msg)
	}
}

// numBounds is the smallest and the largest number a static set names.
func numBounds(numSet imap.NumSet) (first, last uint32) {
	first = math.MaxUint32
	see := func(a, b uint32) {
		first, last = min(first, a, b), max(last, a, b)
	}
	switch numSet := numSet.(type) {
	case imap.SeqSet:
		for _, r := range numSet {
			see(r.Start, r.Stop)
		}
	case imap.UIDSet:
		for _, r := range numSet {
			see(uint32(r.Start), uint32(r.Stop))
		}
	}
	return first, last
}

// staticNumSet converts a dynamic sequence set into a static one.
//
// This is necessary to properly handle the special symbol "*", which
// represents the maximum sequence number or UID in the mailbox.
//
// This function also handles the special SEARCHRES marker "$".
func (mbox *folderView) staticNumSet(numSet imap.NumSet) imap.NumSet {
	if imap.IsSearchRes(numSet) {
		return mbox.searchRes
	}

	switch numSet := numSet.(type) {
	case imap.SeqSet:
		max := uint32(len(mbox.l))
		for i := range numSet {
			r := &numSet[i]
			staticNumRange(&r.Start, &r.Stop, max)
		}
	case imap.UIDSet:
		max := uint32(mbox.uidNext) - 1
		for i := range numSet {
			r := &numSet[i]
			staticNumRange((*uint32)(&r.Start), (*uint32)(&r.Stop), max)
		}
	}

	return numSet
}

func staticNumRange(start, stop *uint32, max uint32) {
	dyn := false
	if *start == 0 {
		*start = max
		dyn = true
	}
	if *stop == 0 {
		*stop = max
		dyn = true
	}
	if dyn && *start > *stop {
		*start, *stop = *stop, *start
	}
}
